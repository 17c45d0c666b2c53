import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// Optimizer steps against PyTorch 2.x (`torch.optim`), three steps from p = [1, -2, 0.5]
/// with the gradients below; plain SGD is also checked by hand.
final class OptimizerTests: XCTestCase {
    private let gradients: [[Float]] = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.5], [-0.3, 0.2, 0.1]]

    private func valuesAfterThreeSteps(_ makeOptimizer: ([Parameter]) throws -> Optimizer) throws -> [Float] {
        let parameter = Parameter(try Tensor(shape: [3], scalars: [1, -2, 0.5]))
        let optimizer = try makeOptimizer([parameter])
        for gradient in gradients {
            parameter.gradient = try Tensor(shape: [3], scalars: gradient)
            optimizer.step()
        }
        return parameter.value.scalars
    }

    private func assertValues(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 2e-6, file: file, line: line) }
    }

    func testPlainSGDSubtractsTheScaledGradients() throws {
        // 1 - 0.1 · 0.2, -2 - 0.1 · 0.1, 0.5 - 0.1 · (-0.1)
        assertValues(try valuesAfterThreeSteps { try SGD(parameters: $0, learningRate: 0.1) }, [0.98, -2.01, 0.51])
    }

    func testSGDWithMomentumWeightDecayAndNesterovMatchesPyTorch() throws {
        assertValues(try valuesAfterThreeSteps { try SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) },
                     [0.921372771, -1.97365558, 0.500961363])
        assertValues(try valuesAfterThreeSteps { try SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) },
                     [0.914210021, -1.99632001, 0.513329983])
    }

    func testLargeParameterMomentumStepsByHand() throws {
        // Constant gradient g: buffers g then 1.9 g, so p = p0 - lr · 2.9 g after two steps.
        let count = 100_000
        let parameter = Parameter(Tensor(shape: [count], repeating: 1))
        let optimizer = try SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 {
            parameter.gradient = Tensor(shape: [count], repeating: 2)
            optimizer.step()
        }
        let values = parameter.value.scalars
        for index in [0, count / 2, count - 1] { XCTAssertEqual(values[index], 1 - 0.1 * 2.9 * 2, accuracy: 1e-6) }
    }

    func testAdamAndAdamWMatchPyTorch() throws {
        assertValues(try valuesAfterThreeSteps { try Adam(parameters: $0, learningRate: 0.01) },
                     [0.979389131, -1.99006355, 0.494091719])
        assertValues(try valuesAfterThreeSteps { try Adam(parameters: $0, learningRate: 0.01, weightDecay: .l2(0.1)) },
                     [0.976046741, -1.97532535, 0.491483003])
        assertValues(try valuesAfterThreeSteps { try Adam.adamW(parameters: $0, learningRate: 0.01, weightDecay: 0.1) },
                     [0.976421058, -1.98409235, 0.492610276])
    }

    func testAdamFirstStepMovesEachWeightByTheLearningRate() throws {
        // m̂ = g and v̂ = g², so the first update is lr · g / (|g| + ε) ≈ lr · sign(g).
        let parameter = Parameter(try Tensor(shape: [2], scalars: [0, 0]))
        let adam = try Adam(parameters: [parameter], learningRate: 0.5)
        parameter.gradient = try Tensor(shape: [2], scalars: [3, -0.001])
        adam.step()
        assertValues(parameter.value.scalars, [-0.5 * 3 / (3 + 1e-8), 0.5 * 0.001 / (0.001 + 1e-8)])
    }

    func testParameterGroupsStepEachLayerAtItsGroupsRate() throws {
        // y = sum(W2 (W1 x + b1) + b2): the first layer in a group at 0.01, the second at 0.1. Adam's
        // first step moves each weight by its group's rate · g / (|g| + ε), checked against the
        // gradients the backward pass left.
        var generator = SeededGenerator(seed: 3)
        let first = try Linear(inFeatures: 3, outFeatures: 2, generator: &generator)
        let second = try Linear(inFeatures: 2, outFeatures: 1, generator: &generator)
        let adam = try Adam(parameterGroups: [(first.parameters(), 0.01), (second.parameters(), 0.1)])
        XCTAssertEqual(adam.learningRate, 0.01)
        XCTAssertEqual(adam.learningRateFactors, [1, 1, 10, 10])
        let parameters = first.parameters() + second.parameters()
        let before = parameters.map(\.value.scalars)
        second(first(try Tensor(shape: [1, 3], scalars: [1, -2, 0.5]))).sum().backward()
        let gradients = try parameters.map { try XCTUnwrap($0.gradient).scalars }
        adam.step()
        for (index, parameter) in parameters.enumerated() {
            let rate: Float = index < 2 ? 0.01 : 0.1
            let expected = zip(before[index], gradients[index]).map { value, g in value - rate * g / (abs(g) + 1e-8) }
            assertValues(parameter.value.scalars, expected)
        }
        // A schedule lowering the rate lowers both groups' in proportion: at 0.001 the second
        // layer's steps are 0.01 (a fresh optimizer, so that its step is again a first step).
        let lowered = try Adam(parameterGroups: [(first.parameters(), 0.01), (second.parameters(), 0.1)])
        lowered.learningRate = 0.001
        let secondBefore = second.weight.value.scalars, secondGradient = try XCTUnwrap(second.weight.gradient).scalars
        lowered.step()
        assertValues(second.weight.value.scalars, zip(secondBefore, secondGradient).map { $0 - 0.01 * $1 / (abs($1) + 1e-8) })
        // A group at rate 0 does not move, not even by AdamW's decoupled decay.
        let still = Parameter(try Tensor(shape: [2], scalars: [1, -1])), moving = Parameter(try Tensor(shape: [1], scalars: [1]))
        let adamW = try Adam(parameterGroups: [(parameters: [moving], learningRate: 0.1), (parameters: [still], learningRate: 0)],
                             weightDecay: .decoupled(0.5))
        (still.gradient, moving.gradient) = (try Tensor(shape: [2], scalars: [1, 1]), try Tensor(shape: [1], scalars: [1]))
        adamW.step()
        XCTAssertEqual(still.value.scalars, [1, -1])
        assertValues(moving.value.scalars, [1 * (1 - 0.1 * 0.5) - 0.1 * 1 / (1 + 1e-8)])
        XCTAssertThrowsError(try Adam(parameters: [still], learningRateFactors: [1, 2])) { error in
            XCTAssertTrue("\(error)".contains("learningRateFactors.count"), "\(error)")
        }
    }

    func testFrozenParametersAndMissingGradientsAreSkipped() throws {
        let frozen = Parameter(try Tensor(shape: [1], scalars: [1]), isFrozen: true)
        let withoutGradient = Parameter(try Tensor(shape: [1], scalars: [2]))
        let trained = Parameter(try Tensor(shape: [1], scalars: [3]))
        frozen.gradient = try Tensor(shape: [1], scalars: [1])
        trained.gradient = try Tensor(shape: [1], scalars: [1])
        let optimizer = try SGD(parameters: [frozen, withoutGradient, trained], learningRate: 0.5, momentum: 0.9)
        optimizer.step()
        XCTAssertEqual(frozen.value.scalars, [1])
        XCTAssertEqual(withoutGradient.value.scalars, [2])
        XCTAssertEqual(trained.value.scalars, [2.5])
        optimizer.zeroGradients()
        XCTAssertNil(trained.gradient)
    }

    func testTrainingLoopMinimizesAQuadratic() throws {
        let weight = Parameter(try Tensor(shape: [2], scalars: [0, 0]))
        let target = try Tensor(shape: [2], scalars: [3, -1])
        let optimizer = try Adam(parameters: [weight], learningRate: 0.1)
        for _ in 0..<300 {
            optimizer.zeroGradients()
            (weight.value - target).squared().sum().backward()
            optimizer.step()
        }
        assertValues(weight.value.scalars.map { ($0 * 100).rounded() / 100 }, [3, -1])
    }

    func testInvalidHyperparametersAreNamed() {
        XCTAssertThrowsError(try SGD(parameters: [], learningRate: -1)) { error in
            XCTAssertEqual("\(error)", "learningRate = -1.0 is invalid: expected >= 0")
        }
        XCTAssertThrowsError(try SGD(parameters: [], learningRate: 0.1, nesterov: true))
        XCTAssertThrowsError(try Adam(parameters: [], beta1: 1))
    }

    func testGradientNormClippingMatchesPyTorch() throws {
        let first = Parameter(Tensor.zeros([2])), second = Parameter(Tensor.zeros([1]))
        first.gradient = try Tensor(shape: [2], scalars: [3, 4])
        second.gradient = try Tensor(shape: [1], scalars: [12])
        XCTAssertEqual(clipGradientNorm([first, second], maximumNorm: 1), 13, accuracy: 1e-5)
        assertValues(first.gradient!.scalars, [0.230769217, 0.307692289])
        assertValues(second.gradient!.scalars, [0.923076868])
        XCTAssertEqual(clipGradientNorm([first, second], maximumNorm: 5), 1, accuracy: 1e-5)
        assertValues(second.gradient!.scalars, [0.923076868])
    }
}
