@testable import Tensors
import TestSupport
import XCTest

/// `batchNorm(concatenating:...)` (each input normalized straight into its channels of the
/// output, DenseNet's layers) against the chain it replaces: `Tensor(concatenating:alongAxis: 3)`
/// then `batchNorm(..., activation:)`. Outputs, running statistics, and the gradients of every
/// input, of scale and of shift.
final class ConcatenatedBatchNormTests: XCTestCase {
    /// Results of one forward and backward pass.
    private struct Pass {
        var output: [Float], gradInputs: [[Float]], gradScale: [Float], gradShift: [Float]
        var runningMean: [Float], runningVariance: [Float]
    }

    /// Runs `chain` on fresh copies of inputs with `channels` channels each (each with its own mean
    /// and spread), the same parameters and statistics, and back-propagates `sum(output · weights)`.
    private func run(pixels: [Int], channels: [Int], isTraining: Bool, seed: UInt64,
                     chain: ([Tensor], Tensor, Tensor, BatchNormStatistics) -> Tensor) -> Pass {
        let total = channels.reduce(0, +)
        let inputs = channels.enumerated().map { index, count in
            randomTensor(pixels + [count], seed: seed + UInt64(10 * index), mean: Float(index) - 1,
                         standardDeviation: 1 + Float(index)).requiringGradient()
        }
        // Scale and shift put some normalized values below 0 (ReLU clamps) and some above 6 (ReLU6).
        let scale = randomTensor([total], seed: seed + 1, mean: 2, standardDeviation: 1.5).requiringGradient()
        let shift = randomTensor([total], seed: seed + 2, mean: 2, standardDeviation: 2).requiringGradient()
        let statistics = BatchNormStatistics(channels: total, momentum: 0.1)
        statistics.mean = randomTensor([total], seed: seed + 3, mean: 0.5, standardDeviation: 0.5)
        statistics.variance = try! Tensor(shape: [total], scalars: randomTensor([total], seed: seed + 4).scalars.map { abs($0) + 1 })
        let weights = randomTensor(pixels + [total], seed: seed + 5)
        let output = chain(inputs, scale, shift, statistics)
        (output * weights).sum().backward()
        return Pass(output: output.scalars, gradInputs: inputs.map { $0.gradient!.scalars }, gradScale: scale.gradient!.scalars,
                    gradShift: shift.gradient!.scalars, runningMean: statistics.mean.scalars,
                    runningVariance: statistics.variance.scalars)
    }

    private func assertEqualsTheConcatenation(_ activation: FusedActivation, pixels: [Int], channels: [Int], isTraining: Bool,
                                              seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        func chain(concatenating: Bool) -> Pass {
            run(pixels: pixels, channels: channels, isTraining: isTraining, seed: seed) { inputs, scale, shift, statistics in
                concatenating
                    ? batchNorm(Tensor(concatenating: inputs, alongAxis: 3), scale: scale, shift: shift, statistics: statistics,
                                isTraining: isTraining, activation: activation)
                    : batchNorm(concatenating: inputs, scale: scale, shift: shift, statistics: statistics,
                                isTraining: isTraining, activation: activation)
            }
        }
        let direct = chain(concatenating: false), concatenated = chain(concatenating: true)
        let what = "\(activation), \(pixels) pixels, channels \(channels), \(isTraining ? "training" : "given statistics")"
        XCTAssertGreaterThan(concatenated.output.filter { $0 == 0 }.count, 0, "\(what): some outputs clamp at 0", file: file, line: line)
        // Only the order of Float additions in the sums differs.
        assertClose(direct.output, concatenated.output.map(Double.init), "\(what): output", tolerance: .elementwise(1e-4),
                    file: file, line: line)
        assertClose(direct.runningMean, concatenated.runningMean.map(Double.init), "\(what): running mean",
                    tolerance: .elementwise(1e-5), file: file, line: line)
        assertClose(direct.runningVariance, concatenated.runningVariance.map(Double.init), "\(what): running variance",
                    tolerance: .elementwise(1e-4), file: file, line: line)
        for (index, gradient) in direct.gradInputs.enumerated() {
            assertClose(gradient, concatenated.gradInputs[index].map(Double.init), "\(what): gradient of input \(index)",
                        tolerance: .relativeToLargest(1e-4), file: file, line: line)
        }
        assertClose(direct.gradScale, concatenated.gradScale.map(Double.init), "\(what): scale gradient",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        assertClose(direct.gradShift, concatenated.gradShift.map(Double.init), "\(what): shift gradient",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
    }

    func testTrainingEqualsTheConcatenationThenTheNormalization() {
        // DenseNet's shape: a block input, then growth features; 2·40·40 rows run on two threads.
        assertEqualsTheConcatenation(.relu, pixels: [2, 40, 40], channels: [64, 32, 32], isTraining: true, seed: 1)
        // Channel counts off the vector width, rows not a multiple of a tile.
        assertEqualsTheConcatenation(.relu6, pixels: [3, 7, 9], channels: [5, 12, 3, 16], isTraining: true, seed: 2)
    }

    func testGivenStatisticsEqualTheConcatenationThenTheNormalization() {
        assertEqualsTheConcatenation(.relu, pixels: [2, 9, 11], channels: [24, 8], isTraining: false, seed: 3)
        assertEqualsTheConcatenation(.relu6, pixels: [2, 40, 40], channels: [16, 32, 7], isTraining: false, seed: 4)
    }

    /// An input that needs no gradient (a frozen stem's output) gets none, and the others still do.
    func testAnInputWithoutGradientGetsNone() {
        let frozen = randomTensor([2, 5, 5, 8], seed: 5), trained = randomTensor([2, 5, 5, 4], seed: 6).requiringGradient()
        let statistics = BatchNormStatistics(channels: 12, momentum: 0.1)
        let output = batchNorm(concatenating: [frozen, trained], scale: Tensor(shape: [12], repeating: 1),
                               shift: Tensor(shape: [12], repeating: 0.5), statistics: statistics, isTraining: true,
                               activation: .relu)
        output.sum().backward()
        XCTAssertNil(frozen.gradient)
        XCTAssertEqual(trained.gradient?.shape, [2, 5, 5, 4])
        XCTAssertGreaterThan(trained.gradient!.scalars.map(abs).max()!, 0)
    }
}
