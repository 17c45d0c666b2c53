import Randomness
@testable import Tensors
import XCTest

/// The tape: accumulation, no-gradient mode, frozen parameters, graph release.
final class AutodiffTests: XCTestCase {
    func testGradientsAccumulateOverTwoBackwardPasses() {
        let weight = Parameter(try! Tensor(shape: [2], scalars: [1, 2]), name: "w")
        let input = try! Tensor(shape: [2], scalars: [3, 5])
        (weight.value * input).sum().backward()
        assertTensor(weight.gradient!, equals: [3, 5], shape: [2])
        (weight.value * input).sum().backward()
        assertTensor(weight.gradient!, equals: [6, 10], shape: [2])
        weight.zeroGradient()
        XCTAssertNil(weight.gradient)
    }

    func testATensorUsedTwiceGetsTheSumOfBothPaths() {
        let x = try! Tensor(shape: [3], scalars: [1, -2, 4]).requiringGradient()
        (x * x + x * 3).sum().backward()   // d/dx (x² + 3x) = 2x + 3
        assertTensor(x.gradient!, equals: [5, -1, 11], shape: [3])
    }

    func testNoGradientModeRecordsNothingAndKeepsNoIntermediates() {
        let x = randomTensor([64, 64], seed: 1).requiringGradient()
        weak var intermediateStorage: TensorStorage?
        let output: Tensor = Tensor.withoutGradients {
            let intermediate = exp(x)
            intermediateStorage = intermediate.storage
            Tensor.withoutGradients { XCTAssertFalse(Tensor.isRecordingGradients) }
            XCTAssertFalse(Tensor.isRecordingGradients, "nested calls keep recording off")
            return (intermediate * x).sum()
        }
        XCTAssertTrue(Tensor.isRecordingGradients)
        XCTAssertFalse(output.requiresGradient)
        XCTAssertNil(intermediateStorage, "the exp output must be freed once the forward pass no longer uses it")
    }

    func testRecordingKeepsSavedBuffersUntilBackwardReleasesThem() {
        let x = randomTensor([8], seed: 2).requiringGradient()
        weak var savedStorage: TensorStorage?
        let loss: Tensor = {
            let intermediate = exp(x)   // saved by the product's backward
            savedStorage = intermediate.storage
            return (intermediate * x).sum()
        }()
        XCTAssertNotNil(savedStorage, "the product's backward saves its operands")
        loss.backward()
        XCTAssertNil(savedStorage, "backward releases the graph")
    }

    func testRetainedGraphAllowsASecondBackward() {
        let x = try! Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let loss = (x * x).sum()
        loss.backward(retainingGraph: true)
        loss.backward()
        assertTensor(x.gradient!, equals: [4, 8], shape: [2])
    }

    func testFrozenParameterGetsNoGradientAndItsSubgraphDoesNoBackwardWork() {
        let frozen = Parameter(try! Tensor(shape: [2], scalars: [1, 2]), isFrozen: true)
        let trained = Parameter(try! Tensor(shape: [2], scalars: [3, 4]))
        var frozenBackwardRuns = 0
        let frozenBranch = frozen.value.recording("probe", inputs: [frozen.value]) { gradient in
            frozenBackwardRuns += 1
            return [gradient]
        }
        XCTAssertFalse(frozenBranch.requiresGradient)
        (frozenBranch * trained.value).sum().backward()
        XCTAssertEqual(frozenBackwardRuns, 0)
        XCTAssertNil(frozen.gradient)
        assertTensor(trained.gradient!, equals: [1, 2], shape: [2])

        frozen.isFrozen = false
        (frozen.value * trained.value).sum().backward()
        assertTensor(frozen.gradient!, equals: [3, 4], shape: [2])
    }

    func testBackwardOnlyRunsForInputsThatNeedAGradient() {
        let x = try! Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let constant = try! Tensor(shape: [2], scalars: [5, 7])
        var receivedNeeds: [Bool] = []
        let probe = constant.recording("probe", inputs: [constant, x]) { gradient in
            receivedNeeds = [constant.requiresGradient, x.requiresGradient]
            return [nil, gradient * 2]
        }
        probe.sum().backward()
        XCTAssertEqual(receivedNeeds, [false, true])
        assertTensor(x.gradient!, equals: [2, 2], shape: [2])
    }

    func testParameterUpdateInPlaceDoesNotCopyUnsharedStorage() {
        let weight = Parameter(try! Tensor(shape: [3], scalars: [1, 2, 3]))
        let before = weight.value.storage.baseAddress
        weight.value.withUnsafeMutableBufferPointer { $0[0] = 10 }
        XCTAssertEqual(weight.value.storage.baseAddress, before)
        XCTAssertEqual(weight.value.scalars, [10, 2, 3])
        XCTAssertTrue(weight.value.requiresGradient)
    }
}
