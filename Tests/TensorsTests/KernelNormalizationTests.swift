@testable import Tensors
import TestSupport
import XCTest

final class KernelNormalizationTests: XCTestCase {
    /// Normalizes groups of values: `groupOf(i)` names the statistics group of element i,
    /// `channelOf(i)` its scale/shift index. Returns output, group means and biased variances.
    static func normalize(_ x: [Double], groups: Int, groupOf: (Int) -> Int, channelOf: (Int) -> Int,
                          scale: [Double], shift: [Double], epsilon: Double,
                          statistics: (mean: [Double], variance: [Double])? = nil)
        -> (output: [Double], mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: groups), variance = mean, counts = mean
        for i in x.indices { mean[groupOf(i)] += x[i]; counts[groupOf(i)] += 1 }
        for g in 0..<groups { mean[g] /= counts[g] }
        for i in x.indices { variance[groupOf(i)] += (x[i] - mean[groupOf(i)]) * (x[i] - mean[groupOf(i)]) }
        for g in 0..<groups { variance[g] /= counts[g] }
        if let statistics { (mean, variance) = statistics }
        let output = x.indices.map { i in
            scale[channelOf(i)] * (x[i] - mean[groupOf(i)]) / (variance[groupOf(i)] + epsilon).squareRoot() + shift[channelOf(i)]
        }
        return (output, mean, variance)
    }

    /// Runs `backward` on a random upstream gradient (from `seed`) and compares the gradients it
    /// writes for input, scale and shift with finite differences of `reference`'s output.
    func assertGradientsMatchFiniteDifferences(
        input: [Float], scale: [Float], shift: [Float], seed: UInt64,
        reference: ([Double], [Double], [Double]) -> [Double],
        backward: (_ gradOutput: [Float], _ gradInput: inout [Float], _ gradScale: inout [Float],
                   _ gradShift: inout [Float]) throws -> Void
    ) rethrows {
        let gradOutput = randomFloats(input.count, seed: seed)
        let upstream = gradOutput.doubles
        var gradInput = [Float](repeating: .nan, count: input.count)
        var gradScale = [Float](repeating: .nan, count: scale.count), gradShift = gradScale
        try backward(gradOutput, &gradInput, &gradScale, &gradShift)
        assertClose(gradInput, numericalGradient(at: input.doubles) {
            dot(reference($0, scale.doubles, shift.doubles), upstream)
        }, "grad input", tolerance: .elementwise(1e-3))
        assertClose(gradScale, numericalGradient(at: scale.doubles) {
            dot(reference(input.doubles, $0, shift.doubles), upstream)
        }, "grad scale")
        assertClose(gradShift, numericalGradient(at: shift.doubles) {
            dot(reference(input.doubles, scale.doubles, $0), upstream)
        }, "grad shift")
    }

    func testBatchNormalizationTrainingForwardAndBackward() throws {
        let (n, h, w, c) = (3, 2, 3, 4)
        let kernel = try BatchNormalizationKernel(batch: n, height: h, width: w, channels: c, epsilon: 1e-5)
        let input = randomFloats(n * h * w * c, seed: 41).map { $0 * 3 + 0.5 }
        let scale = randomFloats(c, seed: 42), shift = randomFloats(c, seed: 43)
        let reference = { (x: [Double], scale: [Double], shift: [Double]) in
            Self.normalize(x, groups: c, groupOf: { $0 % c }, channelOf: { $0 % c }, scale: scale, shift: shift, epsilon: 1e-5)
        }
        let expected = reference(input.doubles, scale.doubles, shift.doubles)
        var output = [Float](repeating: .nan, count: input.count)
        var mean = [Float](repeating: .nan, count: c), variance = mean
        try kernel.forwardTraining(input: input, scale: scale, shift: shift, output: &output, mean: &mean, variance: &variance)
        assertClose(output, expected.output, "output")
        assertClose(mean, expected.mean, "mean")
        assertClose(variance, expected.variance, "biased variance")

        try assertGradientsMatchFiniteDifferences(input: input, scale: scale, shift: shift, seed: 44,
                                                  reference: { reference($0, $1, $2).output }) {
            try kernel.backward(gradOutput: $0, input: input, scale: scale, mean: mean, variance: variance,
                                gradInput: &$1, gradScale: &$2, gradShift: &$3)
        }
    }

    func testBatchNormalizationInferenceUsesGivenStatistics() throws {
        let kernel = try BatchNormalizationKernel(batch: 2, height: 2, width: 2, channels: 2, epsilon: 1e-3)
        let input = randomFloats(16, seed: 45)
        let scale: [Float] = [2, -1], shift: [Float] = [0.5, 1]
        let runningMean: [Float] = [0.25, -0.5], runningVariance: [Float] = [4, 0.5]
        var output = [Float](repeating: .nan, count: 16)
        try kernel.forwardInference(input: input, scale: scale, shift: shift, mean: runningMean, variance: runningVariance,
                                    output: &output)
        let expected = input.indices.map { i -> Double in
            let ch = i % 2
            return Double(scale[ch]) * (Double(input[i]) - Double(runningMean[ch]))
                / (Double(runningVariance[ch]) + 1e-3).squareRoot() + Double(shift[ch])
        }
        assertClose(output, expected, "inference")
    }

    func testBatchNormalizationBackwardWithGivenStatistics() throws {
        let (n, h, w, c) = (2, 2, 3, 3)
        let kernel = try BatchNormalizationKernel(batch: n, height: h, width: w, channels: c, epsilon: 1e-5)
        let input = randomFloats(n * h * w * c, seed: 55)
        let scale = randomFloats(c, seed: 56), shift = randomFloats(c, seed: 57)
        let mean: [Float] = [0.1, -0.2, 0.3], variance: [Float] = [0.5, 2, 1.5]
        let reference = { (x: [Double], scale: [Double], shift: [Double]) in
            Self.normalize(x, groups: c, groupOf: { $0 % c }, channelOf: { $0 % c }, scale: scale, shift: shift,
                           epsilon: 1e-5, statistics: (mean.doubles, variance.doubles)).output
        }
        let gradOutput = randomFloats(input.count, seed: 58)
        let upstream = gradOutput.doubles
        var gradInput = [Float](repeating: .nan, count: input.count)
        var gradScale = [Float](repeating: .nan, count: c), gradShift = gradScale
        try kernel.backward(gradOutput: gradOutput, input: input, scale: scale, mean: mean, variance: variance,
                            statisticsWereGiven: true, gradInput: &gradInput, gradScale: &gradScale, gradShift: &gradShift)
        assertClose(gradInput, numericalGradient(at: input.doubles) { dot(reference($0, scale.doubles, shift.doubles), upstream) },
                    "grad input")
        assertClose(gradScale, numericalGradient(at: scale.doubles) { dot(reference(input.doubles, $0, shift.doubles), upstream) },
                    "grad scale")
        assertClose(gradShift, numericalGradient(at: shift.doubles) { dot(reference(input.doubles, scale.doubles, $0), upstream) },
                    "grad shift")
    }

    func testRunningStatisticsUseUnbiasedVariance() throws {
        let kernel = try BatchNormalizationKernel(batch: 2, height: 1, width: 2, channels: 1)
        var runningMean: [Float] = [1], runningVariance: [Float] = [2]
        BatchNormStatistics.blend(runningMean: &runningMean, runningVariance: &runningVariance, batchMean: [3],
                                  batchVariance: [0.75], channels: 1, sampleCount: kernel.valuesPerChannel, momentum: 0.1)
        // 0.9 * 1 + 0.1 * 3 = 1.2; 0.9 * 2 + 0.1 * 0.75 * 4 / 3 = 1.9
        XCTAssertEqual(runningMean[0], 1.2, accuracy: 1e-6)
        XCTAssertEqual(runningVariance[0], 1.9, accuracy: 1e-6)
    }

    func testLayerNormalizationForwardAndBackward() throws {
        let (rows, c) = (5, 6)
        let kernel = try LayerNormalizationKernel(rows: rows, channels: c, epsilon: 1e-6)
        let input = randomFloats(rows * c, seed: 46).map { $0 * 2 - 0.3 }
        let scale = randomFloats(c, seed: 47), shift = randomFloats(c, seed: 48)
        let reference = { (x: [Double], scale: [Double], shift: [Double]) in
            Self.normalize(x, groups: rows, groupOf: { $0 / c }, channelOf: { $0 % c }, scale: scale, shift: shift, epsilon: 1e-6)
        }
        let expected = reference(input.doubles, scale.doubles, shift.doubles)
        var output = [Float](repeating: .nan, count: input.count)
        var mean = [Float](repeating: .nan, count: rows), variance = mean
        try kernel.forward(input: input, scale: scale, shift: shift, output: &output, mean: &mean, variance: &variance)
        assertClose(output, expected.output, "output")
        assertClose(mean, expected.mean, "mean")
        assertClose(variance, expected.variance, "variance")
        var inferenceOutput = [Float](repeating: .nan, count: input.count)
        try kernel.forwardInference(input: input, scale: scale, shift: shift, output: &inferenceOutput)
        assertClose(inferenceOutput, expected.output, "inference output")

        try assertGradientsMatchFiniteDifferences(input: input, scale: scale, shift: shift, seed: 49,
                                                  reference: { reference($0, $1, $2).output }) {
            try kernel.backward(gradOutput: $0, input: input, scale: scale, mean: mean, variance: variance,
                                gradInput: &$1, gradScale: &$2, gradShift: &$3)
        }
    }

    func testNonPositiveEpsilonIsRejected() {
        XCTAssertThrowsError(try BatchNormalizationKernel(batch: 1, height: 1, width: 1, channels: 1, epsilon: 0)) {
            XCTAssertEqual("\($0)", "batch normalization 1x1x1x1: invalid geometry: epsilon 0.0 must be positive")
        }
    }
}
