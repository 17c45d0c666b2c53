@testable import Tensors
import TestSupport
import XCTest

/// `batchNorm(concatenating: parts, ...)`, which reads the parts in place or the leading channels of
/// a wider buffer holding them (in training with the batch statistics of its leading channels kept
/// from before, `ChannelBufferStatistics`), against `batchNorm(Tensor(concatenating: parts, alongAxis: 3), ...)`:
/// outputs, running statistics and every gradient, with gradients that the parts gathered from later
/// operations added into (one of them shared with another input, which must not be written).
final class BatchNormOfConcatenationTests: XCTestCase {
    /// Where the normalization reads the concatenation.
    private enum Reading {
        case copiedConcatenation, parts, widerBuffer
        /// The wider buffer, with `ChannelBufferStatistics` that already hold the statistics of all
        /// but the last part's channels (as an earlier layer of the block left them).
        case widerBufferWithKeptStatistics
    }

    private struct Pass {
        var output: [Float], runningMean: [Float], runningVariance: [Float]
        /// The parts', scale's, shift's and the other input's gradients, in that order.
        var gradients: [[Float]]
    }

    /// One forward and backward pass of `sum(bn(concat(parts)) · w) + sum(parts[0] · v) + sum(parts[1] + other)`:
    /// part 0 gathers a gradient of its own storage before the normalization's backward pass, part 1
    /// one whose storage it shares with `other` (an addition hands both inputs the same tensor).
    private func run(widths: [Int], rows: [Int], activation: Activation, isTraining: Bool, seed: UInt64,
                     reading: Reading) -> Pass {
        let channels = widths.reduce(0, +)
        let parts = widths.enumerated().map { index, width in
            randomTensor(rows + [width], seed: seed + UInt64(index), mean: 0.5, standardDeviation: 2).requiringGradient()
        }
        let scale = randomTensor([channels], seed: seed + 10, mean: 2, standardDeviation: 1.5).requiringGradient()
        let shift = randomTensor([channels], seed: seed + 11, mean: 2, standardDeviation: 2).requiringGradient()
        let other = randomTensor(rows + [widths[1]], seed: seed + 12).requiringGradient()
        let statistics = BatchNormStatistics(channels: channels, momentum: 0.1)
        statistics.mean = randomTensor([channels], seed: seed + 13, mean: 0.5, standardDeviation: 0.5)
        statistics.variance = try! Tensor(shape: [channels], scalars: randomTensor([channels], seed: seed + 14).scalars
            .map { abs($0) + 4 })
        let output: Tensor
        switch reading {
        case .copiedConcatenation:
            output = batchNorm(Tensor(concatenating: parts, alongAxis: 3), scale: scale, shift: shift, statistics: statistics,
                               isTraining: isTraining, activation: activation)
        case .parts:
            output = batchNorm(concatenating: parts, scale: scale, shift: shift, statistics: statistics, isTraining: isTraining,
                               activation: activation)
        case .widerBuffer, .widerBufferWithKeptStatistics:
            // The parts, then channels the normalization must not read (large, so that reading them shows).
            let unread = randomTensor(rows + [5], seed: seed + 17, mean: 1000, standardDeviation: 100)
            let buffer = Tensor(concatenating: parts.map { $0.detached() } + [unread], alongAxis: 3)
            var kept: ChannelBufferStatistics?
            if reading == .widerBufferWithKeptStatistics {
                kept = ChannelBufferStatistics(buffer: buffer)
                _ = kept!.leading(channels - widths.last!)
            }
            output = batchNorm(concatenating: parts, storedIn: buffer, bufferStatistics: kept, scale: scale, shift: shift,
                               statistics: statistics, isTraining: isTraining, activation: activation)
        }
        let loss = (output * randomTensor(output.shape, seed: seed + 15)).sum()
            + (parts[0] * randomTensor(parts[0].shape, seed: seed + 16)).sum() + (parts[1] + other).sum()
        loss.backward()
        return Pass(output: output.scalars, runningMean: statistics.mean.scalars, runningVariance: statistics.variance.scalars,
                    gradients: (parts + [scale, shift, other]).map { $0.gradient!.scalars })
    }

    private func assertInPlaceEqualsCopied(widths: [Int], rows: [Int], activation: Activation, isTraining: Bool,
                                           seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let copied = run(widths: widths, rows: rows, activation: activation, isTraining: isTraining, seed: seed,
                         reading: .copiedConcatenation)
        for reading in [Reading.parts, .widerBuffer, .widerBufferWithKeptStatistics] {
            let inPlace = run(widths: widths, rows: rows, activation: activation, isTraining: isTraining, seed: seed,
                              reading: reading)
            let what = "\(widths) channels read from the \(reading), \(rows), \(activation), \(isTraining ? "training" : "given statistics")"
            XCTAssertGreaterThan(copied.output.filter { $0 == 0 }.count, 0, "\(what): some outputs clamp at 0", file: file, line: line)
            // The same kernel on the same values: only the order of Float sums may differ.
            let names = widths.indices.map { "gradient of part \($0)" }
                + ["gradient of scale", "gradient of shift", "gradient of the input sharing part 1's gradient"]
            let compared = [("output", inPlace.output, copied.output, Tolerance.elementwise(1e-5)),
                            ("running mean", inPlace.runningMean, copied.runningMean, .elementwise(1e-6)),
                            ("running variance", inPlace.runningVariance, copied.runningVariance, .elementwise(1e-5))]
                + names.indices.map { (names[$0], inPlace.gradients[$0], copied.gradients[$0], Tolerance.relativeToLargest(1e-5)) }
            for (name, actual, expected, tolerance) in compared {
                assertClose(actual, expected.map(Double.init), "\(what): \(name)", tolerance: tolerance, file: file, line: line)
            }
        }
    }

    func testTrainingEqualsTheCopiedConcatenation() {
        // DenseNet's shape of parts: a wide block input, then growth-sized outputs; 3,200 rows over two threads.
        assertInPlaceEqualsCopied(widths: [64, 32, 32], rows: [2, 40, 40], activation: .relu, isTraining: true, seed: 1)
        // Wide enough for one row per tile (the buffer's rows are then read where they are).
        assertInPlaceEqualsCopied(widths: [520, 32], rows: [2, 6, 6], activation: .relu, isTraining: true, seed: 5)
        // Odd widths and a partial last tile.
        assertInPlaceEqualsCopied(widths: [5, 3, 8, 1], rows: [3, 7, 9], activation: .relu6, isTraining: true, seed: 2)
    }

    func testGivenStatisticsEqualTheCopiedConcatenation() {
        assertInPlaceEqualsCopied(widths: [48, 16], rows: [2, 20, 20], activation: .relu, isTraining: false, seed: 3)
        assertInPlaceEqualsCopied(widths: [7, 9, 2], rows: [1, 11, 13], activation: .relu6, isTraining: false, seed: 4)
    }
}
