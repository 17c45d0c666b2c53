import Foundation

/// Batch normalization followed by ReLU or ReLU6, forward and backward, over NHWC Float32
/// activations seen as `[rows, channels]` (rows = batch · height · width), in Swift.
///
/// oneDNN 2.6 fuses only ReLU into its batch normalization, so EfficientNet-Lite's ReLU6 ran as a
/// separate eltwise primitive, with an extra activation-sized buffer between the two. Passes over
/// memory (activation-sized streams read or written):
/// - forward, unfused: statistics (1), normalization (2), activation (2) = 5; fused: statistics
///   (1), normalization and activation (2) = 3;
/// - backward, unfused: activation (3), statistics' gradients (2), input gradient (3) = 8; fused:
///   statistics' gradients (3: output gradient, output, input), input gradient (4) = 7.
///
/// The backward pass derives the activation's mask from the stored output `z` instead of the
/// pre-activation `y`, which is never stored: `lower < z < upper` holds exactly where
/// `lower < y < upper` does, which is where PyTorch's `hardtanh_backward` (ReLU6) and
/// `threshold_backward` (ReLU, `upper` infinite) pass the gradient.
///
/// Sums are accumulated in Float over blocks of `tilesPerBlock` tiles, then in Double across
/// blocks and threads. The batch variance uses the first row as a shift (`Σ(x - k)²/n - (Σ(x - k)/n)²`),
/// which stays accurate when the mean is large against the spread.
///
/// The loops run over tiles of whole rows, about `tileTarget` floats long, with the per-channel
/// coefficients repeated across the tile, so that a loop is long enough for the compiler to
/// vectorize it even with 16 or 24 channels (a loop over one row's channels never left the
/// vectorizer's scalar remainder there: EfficientNet-Lite0's training step ran at 13 images/s
/// against 32 unfused). Every load is unconditional (a load inside `? :` is not speculated, and the
/// loop stays scalar). Written with `SIMD8<Float>` instead, the normalization ran at a quarter of
/// the speed of plain loops (5.8 against 23–32 GB/s, 2026-12-05, AMD EPYC Zen 4).
///
/// The input may come in parts (`partChannels`), the output being their concatenation along the
/// channels: DenseNet's layers normalize every earlier feature map, and `batchNorm(concatenating:...)`
/// reads them in place instead of concatenating them (and hands each part its own gradient instead
/// of slicing the concatenation's apart). Each part keeps its own tiles; with more than one part the
/// output's rows are not contiguous within a part, so the loops that touch the output go a row of
/// the part at a time. Every pass still runs all the parts in one parallel loop: a loop per part
/// (up to 48 in DenseNet-201's third block, each too small to pay for its two threads) cost DenseNet's
/// training step 11 % (3e81576, reverted in 3ff39ab).
package struct BatchNormActivationKernel: Sendable {
    /// Rows (batch · height · width) and channels of the activations (the output's: every part's).
    package let rows: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float
    /// The activation clamps the normalized value to `[lower, upper]` (upper infinite for ReLU).
    package let lower: Float, upper: Float
    /// The input's parts, in the output's channel order (one for a plain tensor).
    let parts: [Part]
    /// Floats in a tiled per-channel array: every part's tile, one after another.
    let tileLength: Int

    /// One part of the input: a `[rows, channels]` array of its own, normalized into channels
    /// `offset ..< offset + channels` of the output. Its tiles are `tileRows` rows long and start
    /// at float `tileOffset` of a tiled per-channel array.
    struct Part: Sendable {
        let channels: Int, offset: Int, tileRows: Int, tileOffset: Int
        /// `tileRows · channels`.
        var tileLength: Int { tileRows * channels }
    }

    /// About how many floats a tile spans.
    static let tileTarget = 512
    /// Tiles summed in Float before their sums go into the Double totals (each sum gets one
    /// value per tile).
    static let tilesPerBlock = 64

    /// A kernel for one `[rows, channels]` input.
    /// - Parameter upper: 6 for ReLU6, `.infinity` for ReLU.
    package init(rows: Int, channels: Int, epsilon: Float, upper: Float) {
        self.init(rows: rows, partChannels: [channels], epsilon: epsilon, upper: upper)
    }

    /// A kernel for an input in parts of `partChannels` channels each (`[rows, partChannels[i]]`
    /// arrays), normalized as their concatenation along the channels.
    /// - Parameter upper: 6 for ReLU6, `.infinity` for ReLU.
    package init(rows: Int, partChannels: [Int], epsilon: Float, upper: Float) {
        precondition(rows > 0 && !partChannels.isEmpty && partChannels.allSatisfy { $0 > 0 } && epsilon > 0 && upper > 0,
                     "BatchNormActivationKernel: \(rows) rows of \(partChannels) channels, epsilon \(epsilon)")
        var parts: [Part] = [], offset = 0, tileOffset = 0
        for channels in partChannels {
            let part = Part(channels: channels, offset: offset, tileRows: max(1, Self.tileTarget / channels),
                            tileOffset: tileOffset)
            parts.append(part)
            offset += channels
            tileOffset += part.tileLength
        }
        self.rows = rows
        self.channels = offset
        self.parts = parts
        tileLength = tileOffset
        self.epsilon = epsilon
        lower = 0
        self.upper = upper
    }

    // MARK: Forward

    /// Training forward pass: writes the batch `mean` and biased `variance` (`[channels]` each) and
    /// `output = clamp(scale · (input - mean) / sqrt(variance + epsilon) + shift)`.
    package func forwardTraining(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                 output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 variance: UnsafeMutablePointer<Float>) {
        forwardTraining(inputs: [input], scale: scale, shift: shift, output: output, mean: mean, variance: variance)
    }

    /// The same for an input in parts (`inputs[i]`: `[rows, partChannels[i]]`); the output is
    /// `[rows, channels]`.
    package func forwardTraining(inputs: [UnsafePointer<Float>], scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                 output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 variance: UnsafeMutablePointer<Float>) {
        precondition(inputs.count == parts.count, "BatchNormActivationKernel: \(inputs.count) inputs for \(parts.count) parts")
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            // The first row: k in Σ(x - k).
            var firstRow = [Float](repeating: 0, count: channels)
            for (index, part) in parts.enumerated() {
                for c in 0..<part.channels { firstRow[part.offset + c] = inputs[index][c] }
            }
            let k = tiled { firstRow[$0] }
            defer { k.deallocate() }
            let sums = channelSums(sumsPerChannel: 2, touchesOutput: false) { span, accumulator in
                let deviations = accumulator + span.tile, squares = accumulator + tileLength + span.tile
                let x = inputs[span.part] + span.input, k = k + span.tile
                for i in 0..<span.count {
                    let d = x[i] - k[i]
                    deviations[i] += d
                    squares[i] += d * d
                }
            }
            let n = Double(rows)
            for c in 0..<channels {
                let meanDeviation = sums[c] / n
                mean[c] = Float(Double(firstRow[c]) + meanDeviation)
                variance[c] = Float(max(0, sums[channels + c] / n - meanDeviation * meanDeviation))
            }
            normalize(inputs: inputs, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// Forward pass with given (running) statistics, as in evaluation mode or a frozen layer.
    package func forwardWithStatistics(input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                       shift: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                       variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forwardWithStatistics(inputs: [input], scale: scale, shift: shift, mean: mean, variance: variance, output: output)
    }

    /// The same for an input in parts (see `forwardTraining(inputs:...)`).
    package func forwardWithStatistics(inputs: [UnsafePointer<Float>], scale: UnsafePointer<Float>,
                                       shift: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                       variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        precondition(inputs.count == parts.count, "BatchNormActivationKernel: \(inputs.count) inputs for \(parts.count) parts")
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            normalize(inputs: inputs, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// `output = clamp((input - mean) · a + shift)` with `a = scale / sqrt(variance + epsilon)` (the
    /// mean is subtracted first: folding it into the shift loses the spread to rounding when the
    /// mean is large against it).
    private func normalize(inputs: [UnsafePointer<Float>], scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                           mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let a = tiled { scale[$0] / (variance[$0] + epsilon).squareRoot() }, m = tiled { mean[$0] }, b = tiled { shift[$0] }
        defer { a.deallocate(); m.deallocate(); b.deallocate() }
        let lower = self.lower, upper = self.upper
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            for part in parts.indices {
                forEachSpan(of: range, part: part, touchesOutput: true) { span in
                    let x = inputs[span.part] + span.input, z = output + span.output
                    let a = a + span.tile, m = m + span.tile, b = b + span.tile
                    for i in 0..<span.count { z[i] = min(max((x[i] - m[i]) * a[i] + b[i], lower), upper) }
                }
            }
        }
    }

    // MARK: Backward

    /// Gradients with respect to input, scale and shift (written, not accumulated), from the
    /// output's gradient, the forward `output` (for the activation's mask) and `input`.
    ///
    /// - Parameter statisticsWereGiven: false after `forwardTraining` (`mean` and `variance` are the
    ///   batch statistics, which depend on the input); true after `forwardWithStatistics`.
    package func backward(gradOutput: UnsafePointer<Float>, output: UnsafePointer<Float>, input: UnsafePointer<Float>,
                          scale: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          statisticsWereGiven: Bool, gradInput: UnsafeMutablePointer<Float>,
                          gradScale: UnsafeMutablePointer<Float>, gradShift: UnsafeMutablePointer<Float>) {
        backward(gradOutput: gradOutput, output: output, inputs: [input], scale: scale, mean: mean, variance: variance,
                 statisticsWereGiven: statisticsWereGiven, gradInputs: [gradInput], gradScale: gradScale,
                 gradShift: gradShift)
    }

    /// The same for an input in parts: `gradInputs[i]` is the gradient of `inputs[i]`
    /// (`[rows, partChannels[i]]`); `gradOutput` and `output` are `[rows, channels]`.
    package func backward(gradOutput: UnsafePointer<Float>, output: UnsafePointer<Float>, inputs: [UnsafePointer<Float>],
                          scale: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          statisticsWereGiven: Bool, gradInputs: [UnsafeMutablePointer<Float>],
                          gradScale: UnsafeMutablePointer<Float>, gradShift: UnsafeMutablePointer<Float>) {
        precondition(inputs.count == parts.count && gradInputs.count == parts.count,
                     "BatchNormActivationKernel: \(inputs.count) inputs and \(gradInputs.count) gradients for \(parts.count) parts")
        KernelProfile.measure("batch normalization + activation backward (Swift)") {
            let lower = self.lower, upper = self.upper
            let m = tiled { mean[$0] }
            defer { m.deallocate() }
            // Σ dy and Σ dy · (x - mean), with dy = dz where lower < z < upper, else 0.
            let sums = channelSums(sumsPerChannel: 2, touchesOutput: true) { span, accumulator in
                let gradientSums = accumulator + span.tile, productSums = accumulator + tileLength + span.tile
                let z = output + span.output, dz = gradOutput + span.output, x = inputs[span.part] + span.input
                let m = m + span.tile
                for i in 0..<span.count {
                    let dy = Self.masked(dz[i], z[i], lower, upper)
                    gradientSums[i] += dy
                    productSums[i] += dy * (x[i] - m[i])
                }
            }
            // dx = a · dy - b · (x - mean) - d, per channel: a = scale · invstd; with batch statistics
            // b = a · invstd² · Σdy(x - mean) / n and d = a · Σdy / n; with given ones b = d = 0.
            let n = Double(rows)
            var perChannel = (a: [Float](repeating: 0, count: channels), b: [Float](repeating: 0, count: channels),
                              d: [Float](repeating: 0, count: channels))
            for c in 0..<channels {
                let inverseDeviation = 1 / (Double(variance[c]) + Double(epsilon)).squareRoot()
                let gradientSum = sums[c], productSum = sums[channels + c]
                gradShift[c] = Float(gradientSum)
                gradScale[c] = Float(productSum * inverseDeviation)
                let a = Double(scale[c]) * inverseDeviation
                perChannel.a[c] = Float(a)
                perChannel.b[c] = statisticsWereGiven ? 0 : Float(a * inverseDeviation * inverseDeviation * productSum / n)
                perChannel.d[c] = statisticsWereGiven ? 0 : Float(a * gradientSum / n)
            }
            let a = tiled { perChannel.a[$0] }, b = tiled { perChannel.b[$0] }, d = tiled { perChannel.d[$0] }
            defer { a.deallocate(); b.deallocate(); d.deallocate() }
            Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
                for part in parts.indices {
                    forEachSpan(of: range, part: part, touchesOutput: true) { span in
                        let z = output + span.output, dz = gradOutput + span.output
                        let x = inputs[span.part] + span.input, dx = gradInputs[span.part] + span.input
                        let a = a + span.tile, b = b + span.tile, d = d + span.tile, m = m + span.tile
                        for i in 0..<span.count {
                            dx[i] = Self.masked(dz[i], z[i], lower, upper) * a[i] - (x[i] - m[i]) * b[i] - d[i]
                        }
                    }
                }
            }
        }
    }

    // MARK: Tiles and reductions

    /// A tiled per-channel array of `value(c)` (c: the output's channel): each part's channels
    /// repeated `tileRows` times, from its `tileOffset` (`tileLength` floats; the caller
    /// deallocates it).
    private func tiled(_ value: (Int) -> Float) -> UnsafeMutablePointer<Float> {
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileLength)
        for part in parts {
            let partTile = tile + part.tileOffset
            for c in 0..<part.channels { partTile[c] = value(part.offset + c) }
            for row in 1..<part.tileRows { (partTile + row * part.channels).update(from: partTile, count: part.channels) }
        }
        return tile
    }

    /// `count` floats of part `part`'s rows: from float `input` of the part's input (and of its
    /// gradient), float `output` of the output (and of its gradient), and float `tile` of a tiled
    /// per-channel array (and of the sums' accumulators).
    struct Span {
        let part: Int, input: Int, output: Int, tile: Int, count: Int
    }

    /// Calls `body` for the spans of part `part`'s rows `range`: its tiles (the last may be
    /// shorter), or, where the loop reads or writes the output of an input in several parts, a row
    /// at a time (the part's channels of one output row), each at its place in a tile. Without
    /// `touchesOutput` the spans' `output` is not an offset to use.
    @inline(__always)
    private func forEachSpan(of range: Range<Int>, part index: Int, touchesOutput: Bool, _ body: (Span) -> Void) {
        let part = parts[index]
        if touchesOutput && parts.count > 1 {
            for row in range {
                body(Span(part: index, input: row * part.channels, output: row * channels + part.offset,
                          tile: part.tileOffset + row % part.tileRows * part.channels, count: part.channels))
            }
            return
        }
        var row = range.lowerBound
        while row < range.upperBound {
            let tileRows = min(part.tileRows, range.upperBound - row)
            body(Span(part: index, input: row * part.channels, output: row * part.channels, tile: part.tileOffset,
                      count: tileRows * part.channels))
            row += tileRows
        }
    }

    /// Per-channel sums over all rows (`sumsPerChannel · channels`, sum s of channel c at
    /// `s · channels + c`): `accumulate(span, accumulator)` adds one span's contributions to a
    /// Float accumulator laid out as `sumsPerChannel` tiled arrays (sum s at `s · tileLength` plus
    /// the span's `tile`). Two threads take half the rows each, every part in turn; their Float
    /// sums go into Double every `tilesPerBlock` tiles, and the tile positions of a channel are
    /// added at the end.
    private func channelSums(sumsPerChannel: Int, touchesOutput: Bool,
                             _ accumulate: (Span, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let count = sumsPerChannel * tileLength
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: count)
        totals.initialize(repeating: 0, count: count)
        defer { totals.deallocate() }
        let lock = NSLock()
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            let block = UnsafeMutablePointer<Float>.allocate(capacity: count)
            let partial = UnsafeMutablePointer<Double>.allocate(capacity: count)
            defer { block.deallocate(); partial.deallocate() }
            partial.initialize(repeating: 0, count: count)
            for (index, part) in parts.enumerated() {
                let blockRows = part.tileRows * Self.tilesPerBlock
                for start in stride(from: range.lowerBound, to: range.upperBound, by: blockRows) {
                    for sum in 0..<sumsPerChannel {
                        (block + sum * tileLength + part.tileOffset).initialize(repeating: 0, count: part.tileLength)
                    }
                    forEachSpan(of: start..<min(start + blockRows, range.upperBound), part: index,
                                touchesOutput: touchesOutput) { span in
                        accumulate(span, block)
                    }
                    for sum in 0..<sumsPerChannel {
                        let first = sum * tileLength + part.tileOffset
                        for position in first..<first + part.tileLength { partial[position] += Double(block[position]) }
                    }
                }
            }
            lock.withLock {
                for index in 0..<count { totals[index] += partial[index] }
            }
        }
        var sums = [Double](repeating: 0, count: sumsPerChannel * channels)
        for sum in 0..<sumsPerChannel {
            for part in parts {
                let first = sum * tileLength + part.tileOffset
                for position in 0..<part.tileLength {
                    sums[sum * channels + part.offset + position % part.channels] += totals[first + position]
                }
            }
        }
        return sums
    }

    /// The gradient `dz` where the clamp passed the value through (`lower < z < upper`), else 0,
    /// without a comparison: `0 - min(z - lower, upper - z)` is negative exactly inside (and +0 on
    /// the bounds), so its sign bit, spread over the word, masks `dz`. Selects (`z > lower ? dz : 0`)
    /// became branches here, and the loops around them stayed scalar (a quarter of the speed).
    @inline(__always)
    private static func masked(_ dz: Float, _ z: Float, _ lower: Float, _ upper: Float) -> Float {
        let outside = 0 - min(z - lower, upper - z)
        let mask = UInt32(bitPattern: Int32(bitPattern: outside.bitPattern) >> 31)
        return Float(bitPattern: dz.bitPattern & mask)
    }
}
