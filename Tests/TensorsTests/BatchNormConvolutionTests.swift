import Randomness
@testable import Tensors
import XCTest

/// `batchNormConv2d` (batch norm + ReLU/ReLU6 and the convolution after it as one operation) against
/// the two operations it stands for, `conv2d(batchNorm(concatenating: ...))`, under bf16 on a CPU
/// with native bf16. Forward, the fused operation's normalization writes bf16 itself, rounded as
/// oneDNN's conversion before the convolution rounds, so the convolution reads the same values: the
/// output, the running statistics and the convolution's weight and bias gradients must be the same
/// floats. Backward, the convolution writes the normalized activations' gradient `g` in bf16 (one
/// rounding of its FP32 accumulation, relative error at most 2^-9) where the two operations write
/// FP32, and the normalization's backward pass reads that. Its gradients are linear in `g`, so with
/// `u = 2^-8` (the rounding, and room for FP32 sums added in another order), per channel `c` with
/// `a = scale · invstd`, and sums over the `n` rows:
/// - shift: `u · Σ|g|`; scale: `u · invstd · Σ|g · (x - mean)|`;
/// - input, with batch statistics: `u · |a| · (|g| + invstd² · |x - mean| · Σ|g · (x - mean)| / n + Σ|g| / n)`;
///   with given statistics `u · |a| · |g|`.
/// A wiring mistake (a part's gradient not added, channels shifted, the gradient read as FP32) is
/// off by the order of the values. Also: the rounding to bf16, value by value, against oneDNN's.
final class BatchNormConvolutionTests: XCTestCase {
    private struct Pass {
        var output: [Float], runningMean: [Float], runningVariance: [Float]
        /// The parts', scale's, shift's, weight's and (where there is one) bias's gradients.
        var gradients: [[Float]]
        /// The normalized activations' gradient (the two operations only), `[rows, channels]`.
        var normalizedGradient: [Float] = []
    }

    /// The inputs of one case, made from `seed`.
    private struct Case {
        let widths: [Int], rows: [Int], buffered: Bool, activation: Activation, isTraining: Bool
        let outputChannels: Int, kernelSize: Int, stride: Int, padding: Int, hasBias: Bool, seed: UInt64
        var channels: Int { widths.reduce(0, +) }

        func parts() -> [Tensor] {
            widths.enumerated().map { index, width in
                randomTensor(rows + [width], seed: seed + UInt64(index), mean: 0.5, standardDeviation: 2).requiringGradient()
            }
        }
        var scale: Tensor { randomTensor([channels], seed: seed + 10, mean: 1, standardDeviation: 0.5) }
        var shift: Tensor { randomTensor([channels], seed: seed + 11, mean: 0.2, standardDeviation: 1) }
        var weight: Tensor {
            randomTensor([outputChannels, channels, kernelSize, kernelSize], seed: seed + 12, standardDeviation: 0.2)
        }
        var bias: Tensor? { hasBias ? randomTensor([outputChannels], seed: seed + 13) : nil }
        /// The running statistics before the pass.
        var runningMean: Tensor { randomTensor([channels], seed: seed + 14, mean: 0.5, standardDeviation: 0.5) }
        var runningVariance: Tensor {
            try! Tensor(shape: [channels], scalars: randomTensor([channels], seed: seed + 15).scalars.map { abs($0) + 4 })
        }
        /// The output's gradient.
        func outputWeights(_ shape: [Int]) -> Tensor { randomTensor(shape, seed: seed + 17) }
    }

    /// One forward and backward pass of `sum(y · r) + sum(parts[0] · v)`, `y` the convolution of the
    /// normalized concatenation (part 0 gathers a gradient of its own before the operation's backward
    /// pass, which must be added to, not overwritten).
    private func run(_ c: Case, fused: Bool, precision: ComputePrecision) -> Pass {
        let parts = c.parts()
        let (scale, shift, weight) = (c.scale.requiringGradient(), c.shift.requiringGradient(), c.weight.requiringGradient())
        let bias = c.bias?.requiringGradient()
        let statistics = BatchNormStatistics(channels: c.channels, momentum: 0.1)
        (statistics.mean, statistics.variance) = (c.runningMean, c.runningVariance)
        // A dense block's channel buffer: the parts, then channels that must not be read.
        let buffer = c.buffered ? Tensor(concatenating: parts.map { $0.detached() }
            + [randomTensor(c.rows + [3], seed: c.seed + 16, mean: 1000)], alongAxis: 3) : nil
        let bufferStatistics = buffer.map { ChannelBufferStatistics(buffer: $0) }
        var normalizedGradient: [Float] = []
        let output = ComputePrecision.$current.withValue(precision) {
            if fused {
                return batchNormConv2d(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                                       scale: scale, shift: shift, statistics: statistics, isTraining: c.isTraining,
                                       activation: c.activation, weight: weight, bias: bias, stride: c.stride,
                                       padding: Padding2D(c.padding))
            }
            let normalized = batchNorm(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                                       scale: scale, shift: shift, statistics: statistics, isTraining: c.isTraining,
                                       activation: c.activation)
            // g: the convolution's backward pass from a leaf holding the normalized values.
            let leaf = normalized.detached().requiringGradient()
            let y = conv2d(leaf, weight: weight.detached(), bias: bias?.detached(), stride: c.stride, padding: Padding2D(c.padding))
            (y * c.outputWeights(y.shape)).sum().backward()
            normalizedGradient = leaf.gradient!.scalars
            return conv2d(normalized, weight: weight, bias: bias, stride: c.stride, padding: Padding2D(c.padding))
        }
        let loss = (output * c.outputWeights(output.shape)).sum()
            + (parts[0] * randomTensor(parts[0].shape, seed: c.seed + 18)).sum()
        ComputePrecision.$current.withValue(precision) { loss.backward() }
        return Pass(output: output.scalars, runningMean: statistics.mean.scalars, runningVariance: statistics.variance.scalars,
                    gradients: (parts + [scale, shift, weight] + (bias.map { [$0] } ?? [])).map { $0.gradient!.scalars },
                    normalizedGradient: normalizedGradient)
    }

    /// The bounds of the class comment for the parts' (as one `[rows, channels]` concatenation),
    /// scale's and shift's gradients, from the two operations' `g`.
    private func gradientBounds(_ c: Case, g: [Float]) -> (input: [Double], scale: [Double], shift: [Double]) {
        let u = 1.0 / 256, channels = c.channels
        let partValues = c.parts().map(\.scalars)
        let n = partValues[0].count / c.widths[0]
        let x = (0..<n).flatMap { row in c.widths.indices.flatMap { p in partValues[p][(row * c.widths[p])..<((row + 1) * c.widths[p])] } }
            .map(Double.init)
        var mean = c.runningMean.scalars.map(Double.init), variance = c.runningVariance.scalars.map(Double.init)
        if c.isTraining {
            for ch in 0..<channels {
                let column = (0..<n).map { x[$0 * channels + ch] }
                mean[ch] = column.reduce(0, +) / Double(n)
                variance[ch] = column.map { ($0 - mean[ch]) * ($0 - mean[ch]) }.reduce(0, +) / Double(n)
            }
        }
        let scale = c.scale.scalars
        var bounds = (input: [Double](repeating: 0, count: n * channels), scale: [Double](repeating: 0, count: channels),
                      shift: [Double](repeating: 0, count: channels))
        for ch in 0..<channels {
            let invstd = 1 / (variance[ch] + 1e-5).squareRoot(), a = abs(Double(scale[ch])) * invstd
            let absoluteG = (0..<n).map { abs(Double(g[$0 * channels + ch])) }
            let centered = (0..<n).map { abs(x[$0 * channels + ch] - mean[ch]) }
            let sumG = absoluteG.reduce(0, +), sumGX = zip(absoluteG, centered).map { $0 * $1 }.reduce(0, +)
            bounds.shift[ch] = u * sumG
            bounds.scale[ch] = u * invstd * sumGX
            for row in 0..<n {
                bounds.input[row * channels + ch] = u * a * (absoluteG[row]
                    + (c.isTraining ? invstd * invstd * centered[row] * sumGX / Double(n) + sumG / Double(n) : 0))
            }
        }
        return bounds
    }

    private func assertFusedMatchesTheTwoOperations(_ c: Case, file: StaticString = #filePath, line: UInt = #line) {
        let what = "\(c.widths) channels\(c.buffered ? " in a buffer" : ""), \(c.rows), \(c.activation), "
            + "\(c.isTraining ? "training" : "given statistics"), \(c.kernelSize)x\(c.kernelSize) to \(c.outputChannels)"
        let twoOperations = run(c, fused: false, precision: .bf16), fused = run(c, fused: true, precision: .bf16)
        let fp32 = run(c, fused: true, precision: .fp32)
        var exact = [("output", fused.output, twoOperations.output),
                     ("running mean", fused.runningMean, twoOperations.runningMean),
                     ("running variance", fused.runningVariance, twoOperations.runningVariance),
                     ("gradient of the weight", fused.gradients[c.widths.count + 2], twoOperations.gradients[c.widths.count + 2])]
        if c.hasBias { exact.append(("gradient of the bias", fused.gradients[c.widths.count + 3], twoOperations.gradients[c.widths.count + 3])) }
        for (name, actual, expected) in exact {
            let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(differing, 0, "\(what): \(name) differs in \(differing) of \(expected.count) values", file: file, line: line)
        }
        // bf16 really ran: the output is not FP32's.
        let largest = zip(fused.output, fp32.output).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(largest, 1e-4, "\(what): bf16 gave the FP32 output", file: file, line: line)

        // The parts' gradients, as one [rows, channels] matrix: part 0's gathered gradient is the
        // same in both runs, so it cancels in the difference.
        let bounds = gradientBounds(c, g: twoOperations.normalizedGradient)
        let n = fused.gradients[0].count / c.widths[0]
        func concatenated(_ pass: Pass) -> [Float] {
            (0..<n).flatMap { row in c.widths.indices.flatMap { p in pass.gradients[p][(row * c.widths[p])..<((row + 1) * c.widths[p])] } }
        }
        let bounded = [("gradient of the parts", concatenated(fused), concatenated(twoOperations), bounds.input),
                       ("gradient of scale", fused.gradients[c.widths.count], twoOperations.gradients[c.widths.count], bounds.scale),
                       ("gradient of shift", fused.gradients[c.widths.count + 1], twoOperations.gradients[c.widths.count + 1],
                        bounds.shift)]
        var anyDifference = false
        for (name, actual, expected, bound) in bounded {
            let outside = actual.indices.filter { abs(Double(actual[$0]) - Double(expected[$0])) > bound[$0] + 1e-6 }
            anyDifference = anyDifference || zip(actual, expected).contains { $0 != $1 }
            XCTAssertTrue(outside.isEmpty, "\(what): \(name) outside its bf16 bound at \(outside.count) of \(actual.count) values, "
                          + "first \(outside.first.map { "\(actual[$0]) against \(expected[$0]), bound \(bound[$0])" } ?? "")",
                          file: file, line: line)
        }
        XCTAssertTrue(anyDifference, "\(what): the normalization read an FP32 gradient, not bf16", file: file, line: line)
    }

    private func check(widths: [Int], rows: [Int], buffered: Bool = false, activation: Activation = .relu,
                       isTraining: Bool = true, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                       hasBias: Bool = false, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        assertFusedMatchesTheTwoOperations(
            Case(widths: widths, rows: rows, buffered: buffered, activation: activation, isTraining: isTraining,
                 outputChannels: outputChannels, kernelSize: kernelSize, stride: stride, padding: padding, hasBias: hasBias,
                 seed: seed), file: file, line: line)
    }

    func testBF16TrainingMatchesTheTwoOperations() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        // DenseNet's norm1 → conv1: parts in a channel buffer (read in place, statistics kept), 1x1.
        check(widths: [64, 32, 32], rows: [2, 12, 12], buffered: true, outputChannels: 48, kernelSize: 1, seed: 1)
        // The same read from the parts, a partial last tile.
        check(widths: [5, 3, 8], rows: [3, 7, 9], outputChannels: 16, kernelSize: 1, seed: 2)
        // norm2 → conv2: one part, 3x3 with padding 1.
        check(widths: [32], rows: [2, 9, 9], outputChannels: 8, kernelSize: 3, padding: 1, seed: 3)
        // ReLU6, a bias and stride 2.
        check(widths: [24, 8], rows: [2, 10, 10], activation: .relu6, outputChannels: 16, kernelSize: 3, stride: 2,
              padding: 1, hasBias: true, seed: 4)
    }

    func testBF16WithGivenStatisticsMatchesTheTwoOperations() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        check(widths: [48, 16], rows: [2, 8, 8], buffered: true, isTraining: false, outputChannels: 32, kernelSize: 1, seed: 5)
    }

    /// The kernel's rounding to bf16 against oneDNN's conversion: ties both ways, values that round up
    /// into the next exponent, the largest finite values, infinities, subnormals (flushed to zero),
    /// zeros, a NaN, and 4,096 random bit patterns.
    func testBF16RoundingIsONEDNNs() throws {
        var values: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, .leastNormalMagnitude, 3.4e38, 1e-40, -1e-40]
        for upper in [UInt32(0x3F80), 0x3F81, 0x4049, 0x7F7F, 0x0001, 0xBF80, 0xBF81] {   // ties: to even either way
            values += [0x8000, 0x7FFF, 0x8001, 0xFFFF].map { Float(bitPattern: upper << 16 | $0) }
        }
        var generator = SeededGenerator(seed: 7)
        values += (0..<4096).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator)) }
            .filter { !$0.isNaN }
        let expected = try values.withUnsafeBufferPointer { try BFloat16Copy(of: $0.baseAddress!, count: values.count) }
        let oneDNN = expected.pointer.assumingMemoryBound(to: UInt16.self)
        for (index, value) in values.enumerated() {
            let bits = BFloat16Bits.rounding(value)
            if value.isNaN {
                XCTAssertTrue(BFloat16Bits.float(bits).isNaN, "NaN became \(String(bits, radix: 16))")
            } else {
                XCTAssertEqual(bits, oneDNN[index], "\(value) (\(String(value.bitPattern, radix: 16)))")
            }
        }
    }
}
