@testable import Tensors
import TestSupport
import XCTest

/// `batchNorm(..., activation:)` against the unfused chain `activation(batchNorm(...))` (oneDNN's
/// batch normalization, then oneDNN's eltwise): outputs, running statistics and the gradients of
/// input, scale and shift, in training and with given statistics.
final class FusedBatchNormActivationTests: XCTestCase {
    /// Results of one forward and backward pass of a normalization chain.
    private struct Pass {
        var output: [Float], gradInput: [Float], gradScale: [Float], gradShift: [Float]
        var runningMean: [Float], runningVariance: [Float]
    }

    /// Runs `chain` on fresh copies of the same input, parameters and statistics, and
    /// back-propagates `sum(output · weights)`.
    private func run(shape: [Int], inputMean: Float, inputDeviation: Float, isTraining: Bool, seed: UInt64,
                     chain: (Tensor, Tensor, Tensor, BatchNormStatistics) -> Tensor) -> Pass {
        let channels = shape[3]
        let input = randomTensor(shape, seed: seed, mean: inputMean, standardDeviation: inputDeviation).requiringGradient()
        // Scale and shift spread the normalized values over both clamp ends of ReLU6 (0 and 6).
        let scale = randomTensor([channels], seed: seed + 1, mean: 2, standardDeviation: 1.5).requiringGradient()
        let shift = randomTensor([channels], seed: seed + 2, mean: 2, standardDeviation: 2).requiringGradient()
        let statistics = BatchNormStatistics(channels: channels, momentum: 0.1)
        statistics.mean = randomTensor([channels], seed: seed + 3, mean: inputMean, standardDeviation: 0.5)
        statistics.variance = try! Tensor(shape: [channels], scalars: randomTensor([channels], seed: seed + 4).scalars
            .map { abs($0) + inputDeviation * inputDeviation })
        let weights = randomTensor(shape, seed: seed + 5)
        let output = chain(input, scale, shift, statistics)
        (output * weights).sum().backward()
        return Pass(output: output.scalars, gradInput: input.gradient!.scalars, gradScale: scale.gradient!.scalars,
                    gradShift: shift.gradient!.scalars, runningMean: statistics.mean.scalars,
                    runningVariance: statistics.variance.scalars)
    }

    private func assertFusedEqualsUnfused(_ activation: Activation, shape: [Int], isTraining: Bool,
                                          inputMean: Float = 0.5, inputDeviation: Float = 2, seed: UInt64,
                                          file: StaticString = #filePath, line: UInt = #line) {
        func chain(fused: Bool) -> Pass {
            run(shape: shape, inputMean: inputMean, inputDeviation: inputDeviation, isTraining: isTraining, seed: seed) {
                input, scale, shift, statistics in
                if fused {
                    return batchNorm(input, scale: scale, shift: shift, statistics: statistics, isTraining: isTraining,
                                     activation: activation)
                }
                let normalized = batchNorm(input, scale: scale, shift: shift, statistics: statistics, isTraining: isTraining)
                return activation == .relu ? relu(normalized) : relu6(normalized)
            }
        }
        let fused = chain(fused: true), unfused = chain(fused: false)
        let what = "\(activation), \(shape), \(isTraining ? "training" : "given statistics")"
        // Clamped outputs are exact; the rest differ only by the order of Float additions.
        XCTAssertGreaterThan(unfused.output.filter { $0 == 0 }.count, 0, "\(what): some outputs clamp at 0", file: file, line: line)
        if activation == .relu6 {
            XCTAssertGreaterThan(unfused.output.filter { $0 == 6 }.count, 0, "\(what): some outputs clamp at 6", file: file, line: line)
        }
        assertClose(fused.output, unfused.output.map(Double.init), "\(what): output", tolerance: .elementwise(1e-4),
                    file: file, line: line)
        assertClose(fused.runningMean, unfused.runningMean.map(Double.init), "\(what): running mean",
                    tolerance: .elementwise(1e-5), file: file, line: line)
        assertClose(fused.runningVariance, unfused.runningVariance.map(Double.init), "\(what): running variance",
                    tolerance: .elementwise(1e-4), file: file, line: line)
        assertClose(fused.gradInput, unfused.gradInput.map(Double.init), "\(what): input gradient",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        assertClose(fused.gradScale, unfused.gradScale.map(Double.init), "\(what): scale gradient",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        assertClose(fused.gradShift, unfused.gradShift.map(Double.init), "\(what): shift gradient",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
    }

    func testReLU6InTrainingEqualsTheUnfusedChain() {
        // 2·9·11 = 198 rows: one full block of 128 rows and a partial one, over two threads.
        assertFusedEqualsUnfused(.relu6, shape: [2, 9, 11, 24], isTraining: true, seed: 1)
        // Large enough (2·40·40·32) to run on two threads.
        assertFusedEqualsUnfused(.relu6, shape: [2, 40, 40, 32], isTraining: true, seed: 2)
    }

    func testReLUInTrainingEqualsTheUnfusedChain() {
        assertFusedEqualsUnfused(.relu, shape: [3, 17, 13, 16], isTraining: true, seed: 3)
    }

    func testGivenStatisticsEqualTheUnfusedChain() {
        assertFusedEqualsUnfused(.relu6, shape: [2, 9, 11, 24], isTraining: false, seed: 4)
        assertFusedEqualsUnfused(.relu, shape: [2, 9, 11, 8], isTraining: false, seed: 5)
    }

    /// A mean 1,000 times the spread: the batch statistics and the output match a Double reference
    /// (oneDNN 2.6's own primitive is off by up to 5e-4 in the mean here, so it is not the reference).
    func testTheBatchStatisticsStayAccurateUnderALargeMean() {
        let shape = [4, 16, 16, 8], channels = 8, epsilon: Float = 1e-5
        let input = randomTensor(shape, seed: 6, mean: 1000, standardDeviation: 1)
        let statistics = BatchNormStatistics(channels: channels, momentum: 1)  // running = this batch's
        let output = batchNorm(input, scale: Tensor(shape: [channels], repeating: 1), shift: Tensor(shape: [channels], repeating: 3),
                               statistics: statistics, isTraining: true, epsilon: epsilon, activation: .relu6)
        let x = input.scalars.map(Double.init), rows = x.count / channels
        var mean = [Double](repeating: 0, count: channels), variance = mean
        for (index, value) in x.enumerated() { mean[index % channels] += value / Double(rows) }
        for (index, value) in x.enumerated() { variance[index % channels] += pow(value - mean[index % channels], 2) / Double(rows) }
        let expected = x.enumerated().map { index, value in
            min(6, max(0, (value - mean[index % channels]) / (variance[index % channels] + Double(epsilon)).squareRoot() + 3))
        }
        assertClose(statistics.mean.scalars, mean, "batch mean", tolerance: .elementwise(1e-7))
        assertClose(statistics.variance.scalars, variance.map { $0 * Double(rows) / Double(rows - 1) }, "unbiased batch variance",
                    tolerance: .elementwise(1e-5))
        assertClose(output.scalars, expected, "output", tolerance: .elementwise(2e-4))
    }

    /// Channel counts that are not a multiple of the vector width (the loops' remainders).
    func testOddChannelCountsEqualTheUnfusedChain() {
        assertFusedEqualsUnfused(.relu6, shape: [2, 5, 7, 12], isTraining: true, seed: 7)
        assertFusedEqualsUnfused(.relu, shape: [4, 9, 9, 3], isTraining: true, seed: 8)
    }
}
