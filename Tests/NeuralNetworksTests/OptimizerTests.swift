import NeuralNetworks
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
