import Foundation

/// Batch normalization followed by ReLU or ReLU6, forward and backward, over NHWC Float32
/// activations seen as `[rows, channels]` (rows = batch · height · width), in Swift. The output,
/// and the output gradient the backward pass reads, may be bf16 instead (`Output`, `OutputGradient`).
///
/// oneDNN 2.6 fuses only ReLU into its batch normalization, so EfficientNet-Lite's ReLU6 ran as a
/// separate eltwise primitive, with an extra activation-sized buffer between the two. Passes over
/// memory (activation-sized streams read or written):
/// - forward, unfused: statistics (1), normalization (2), activation (2) = 5; fused: statistics
///   (1), normalization and activation (2) = 3;
/// - backward, unfused: activation (3), statistics' gradients (2), input gradient (3) = 8; fused:
///   statistics' gradients (2: output gradient, input), input gradient (3) = 5.
///
/// The backward pass recomputes the pre-activation `y` from the input it reads anyway, with the
/// forward pass's own float operations (so bit for bit), and passes the gradient where
/// `lower < y < upper`, as PyTorch's `hardtanh_backward` (ReLU6) and `threshold_backward` (ReLU,
/// `upper` infinite) do. It never reads the output: that saves a stream in both backward passes
/// (with the output read for the mask, DenseNet-201's FP32 step spent 0.35 s here), and the
/// operation does not keep the output alive for its backward pass (under bf16 a convolution
/// after it keeps only its bf16 copy, `ConvolutionOperand`).
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
package struct BatchNormActivationKernel: Sendable {
    /// Rows (batch · height · width) and channels of the activations.
    package let rows: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float
    /// The activation clamps the normalized value to `[lower, upper]` (upper infinite for ReLU).
    package let lower: Float, upper: Float
    /// Rows per tile, and the tile's length in floats (`tileRows · channels`).
    let tileRows: Int, tileLength: Int
    /// Rows of the input gradient computed before they are written into the parts
    /// (`InputGradient.channelParts`): whole tiles, about `Tensor.rowChunkGroupFloats` floats.
    let scatterRows: Int

    /// About how many floats a tile spans.
    static let tileTarget = 512
    /// From this many channels on, the rows of a wider buffer (`Input.strided`) are read in place,
    /// one row at a time, instead of gathered into tiles.
    static let inPlaceRowChannels = 64
    /// Tiles summed in Float before their sums go into the Double totals (each sum gets one
    /// value per tile).
    static let tilesPerBlock = 64

    /// Where the input rows are read: one `[rows, channels]` buffer; the first `channels` of each
    /// `rowStride`-float row of a wider buffer (a dense block's channel buffer, which holds the
    /// concatenation of every earlier output); or the parts of a concatenation along the channels
    /// (part `p` is `[rows, widths[p]]`, the widths adding up to `channels`), gathered a tile at a
    /// time. Either way the concatenation is never copied out.
    package enum Input {
        case contiguous(UnsafePointer<Float>)
        case strided(UnsafePointer<Float>, rowStride: Int)
        case channelParts([UnsafePointer<Float>], widths: [Int])
    }

    /// Where the input's gradient goes: one `[rows, channels]` buffer (written), or one buffer per
    /// part of `Input.channelParts` (nil: not needed), each written or, where `adding[p]`, added into.
    package enum InputGradient {
        case contiguous(UnsafeMutablePointer<Float>)
        case channelParts([UnsafeMutablePointer<Float>?], widths: [Int], adding: [Bool])
    }

    /// Where the forward pass writes the activations: FP32 values, or bf16 ones rounded as oneDNN's
    /// conversion rounds (`BFloat16Bits.rounding`), the input of a convolution that reads bf16
    /// (`batchNormConv2d`: no FP32 output is written and then converted).
    package enum Output {
        case float32(UnsafeMutablePointer<Float>)
        case bfloat16(UnsafeMutablePointer<UInt16>)
    }

    /// The gradient of the activations that the backward pass reads, `[rows, channels]`: FP32 values,
    /// or bf16 ones (a bf16 convolution's input gradient, `batchNormConv2d`).
    package enum OutputGradient {
        case float32(UnsafePointer<Float>)
        case bfloat16(UnsafePointer<UInt16>)
    }

    /// - Parameter upper: 6 for ReLU6, `.infinity` for ReLU.
    package init(rows: Int, channels: Int, epsilon: Float, upper: Float) {
        precondition(rows > 0 && channels > 0 && epsilon > 0 && upper > 0,
                     "BatchNormActivationKernel: \(rows) rows of \(channels) channels, epsilon \(epsilon)")
        self.rows = rows
        self.channels = channels
        self.epsilon = epsilon
        lower = 0
        self.upper = upper
        tileRows = max(1, Self.tileTarget / channels)
        tileLength = tileRows * channels
        scatterRows = max(1, Tensor.rowChunkGroupFloats / tileLength) * tileRows
    }

    // MARK: Forward

    /// Training forward pass: writes the batch `mean` and biased `variance` (`[channels]` each) and
    /// `output = clamp(scale · (input - mean) / sqrt(variance + epsilon) + shift)`.
    package func forwardTraining(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                 output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 variance: UnsafeMutablePointer<Float>) {
        forwardTraining(input: .contiguous(input), scale: scale, shift: shift, output: .float32(output), mean: mean,
                        variance: variance)
    }

    /// The same, reading `input` as it is given (`Input`).
    package func forwardTraining(input: Input, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                 output: Output, mean: UnsafeMutablePointer<Float>,
                                 variance: UnsafeMutablePointer<Float>) {
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            computeBatchStatistics(input: input, mean: mean, variance: variance)
            normalize(input: input, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// The batch `mean` and biased `variance` (`[channels]` each) of `input`, as `forwardTraining`
    /// computes them, without the normalization (`ChannelBufferStatistics`).
    package func batchStatistics(input: Input, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            computeBatchStatistics(input: input, mean: mean, variance: variance)
        }
    }

    private func computeBatchStatistics(input: Input, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        let firstRow = UnsafeMutablePointer<Float>.allocate(capacity: tileLength)
        defer { firstRow.deallocate() }
        forEachTile(of: 0..<1, input: input) { _, _, x in firstRow.update(from: x, count: channels) }
        let k = tiled { firstRow[$0] }  // the first row: k in Σ(x - k)
        defer { k.deallocate() }
        let sums = channelSums(sumsPerChannel: 2, input: input) { x, count, accumulator, _ in
            let deviations = accumulator, squares = accumulator + tileLength
            for i in 0..<count {
                let d = x[i] - k[i]
                deviations[i] += d
                squares[i] += d * d
            }
        }
        let n = Double(rows)
        for c in 0..<channels {
            let meanDeviation = sums[c] / n
            mean[c] = Float(Double(k[c]) + meanDeviation)
            variance[c] = Float(max(0, sums[channels + c] / n - meanDeviation * meanDeviation))
        }
    }

    /// Forward pass with given (running) statistics, as in evaluation mode or a frozen layer.
    package func forwardWithStatistics(input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                       shift: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                       variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forwardWithStatistics(input: .contiguous(input), scale: scale, shift: shift, mean: mean, variance: variance,
                              output: .float32(output))
    }

    /// The same, reading `input` as it is given (`Input`).
    package func forwardWithStatistics(input: Input, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                       mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                       output: Output) {
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            normalize(input: input, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// `output = clamp((input - mean) · a + shift)` with `a = scale / sqrt(variance + epsilon)` (the
    /// mean is subtracted first: folding it into the shift loses the spread to rounding when the
    /// mean is large against it).
    private func normalize(input: Input, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                           mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, output: Output) {
        let (a, b) = affineTiles(scale: scale, shift: shift, variance: variance), m = tiled { mean[$0] }
        defer { a.deallocate(); m.deallocate(); b.deallocate() }
        let lower = self.lower, upper = self.upper
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            switch output {
            case .float32(let output):
                forEachTile(of: range, input: input) { offset, count, x in
                    let z = output + offset
                    for i in 0..<count { z[i] = min(max((x[i] - m[i]) * a[i] + b[i], lower), upper) }
                }
            case .bfloat16(let output):
                forEachTile(of: range, input: input) { offset, count, x in
                    let z = output + offset
                    for i in 0..<count { z[i] = BFloat16Bits.rounding(min(max((x[i] - m[i]) * a[i] + b[i], lower), upper)) }
                }
            }
        }
    }

    /// The tiles of the normalization's factor `a = scale / sqrt(variance + epsilon)` and of
    /// `shift`: the pre-activation is `(x - mean) · a + shift`, in the forward pass and, recomputed,
    /// in the backward pass (the caller deallocates both).
    private func affineTiles(scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, variance: UnsafePointer<Float>)
        -> (a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>) {
        (tiled { scale[$0] / (variance[$0] + epsilon).squareRoot() }, tiled { shift[$0] })
    }

    // MARK: Backward

    /// Gradients with respect to input, scale and shift (written, not accumulated), from the
    /// output's gradient and the forward pass's `input`, `scale`, `shift`, `mean` and `variance`
    /// (which give the activation's mask).
    ///
    /// - Parameter statisticsWereGiven: false after `forwardTraining` (`mean` and `variance` are the
    ///   batch statistics, which depend on the input); true after `forwardWithStatistics`.
    package func backward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                          shift: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          statisticsWereGiven: Bool, gradInput: UnsafeMutablePointer<Float>,
                          gradScale: UnsafeMutablePointer<Float>, gradShift: UnsafeMutablePointer<Float>) {
        backward(gradOutput: .float32(gradOutput), input: .contiguous(input), scale: scale, shift: shift, mean: mean,
                 variance: variance, statisticsWereGiven: statisticsWereGiven, gradInput: .contiguous(gradInput),
                 gradScale: gradScale, gradShift: gradShift)
    }

    /// The same, reading `input` and writing (or adding) the input's gradient as given.
    package func backward(gradOutput: OutputGradient, input: Input, scale: UnsafePointer<Float>,
                          shift: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          statisticsWereGiven: Bool, gradInput: InputGradient,
                          gradScale: UnsafeMutablePointer<Float>, gradShift: UnsafeMutablePointer<Float>) {
        KernelProfile.measure("batch normalization + activation backward (Swift)") {
            let lower = self.lower, upper = self.upper
            let m = tiled { mean[$0] }, (fa, fb) = affineTiles(scale: scale, shift: shift, variance: variance)
            defer { m.deallocate(); fa.deallocate(); fb.deallocate() }
            // Σ dy and Σ dy · (x - mean), with dy = dz where lower < y < upper, else 0.
            /// Adds the tile's dy and dy · (x - mean) to the sums, reading dz with `value`.
            @inline(__always)
            func addSums<Element>(_ dz: UnsafePointer<Element>, _ value: (Element) -> Float, _ count: Int,
                                  _ x: UnsafePointer<Float>, _ gradientSums: UnsafeMutablePointer<Float>,
                                  _ productSums: UnsafeMutablePointer<Float>) {
                for i in 0..<count {
                    let centered = x[i] - m[i]
                    let dy = Self.masked(value(dz[i]), centered * fa[i] + fb[i], lower, upper)
                    gradientSums[i] += dy
                    productSums[i] += dy * centered
                }
            }
            let sums = channelSums(sumsPerChannel: 2, input: input) { x, count, accumulator, offset in
                switch gradOutput {
                case .float32(let dz): addSums(dz + offset, { $0 }, count, x, accumulator, accumulator + tileLength)
                case .bfloat16(let dz): addSums(dz + offset, BFloat16Bits.float, count, x, accumulator, accumulator + tileLength)
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
            /// dx of the tile at float `offset`, from its input `x`, into `dx`.
            func inputGradient(_ offset: Int, _ count: Int, _ x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
                @inline(__always)
                func compute<Element>(_ dz: UnsafePointer<Element>, _ value: (Element) -> Float) {
                    for i in 0..<count {
                        let centered = x[i] - m[i]
                        dx[i] = Self.masked(value(dz[i]), centered * fa[i] + fb[i], lower, upper) * a[i] - centered * b[i] - d[i]
                    }
                }
                switch gradOutput {
                case .float32(let dz): compute(dz + offset) { $0 }
                case .bfloat16(let dz): compute(dz + offset, BFloat16Bits.float)
                }
            }
            Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
                switch gradInput {
                case .contiguous(let whole):
                    forEachTile(of: range, input: input) { offset, count, x in inputGradient(offset, count, x, into: whole + offset) }
                case .channelParts(let parts, let widths, let adding):
                    // A group of rows at a time, then each part's rows of the group in one run.
                    let group = UnsafeMutablePointer<Float>.allocate(capacity: scatterRows * channels)
                    defer { group.deallocate() }
                    for start in stride(from: range.lowerBound, to: range.upperBound, by: scatterRows) {
                        let groupRows = start..<min(start + scatterRows, range.upperBound)
                        forEachTile(of: groupRows, input: input) { offset, count, x in
                            inputGradient(offset, count, x, into: group + (offset - start * channels))
                        }
                        scatter(group, rows: groupRows, into: parts, widths: widths, adding: adding)
                    }
                }
            }
        }
    }

    // MARK: Tiles and reductions

    /// A tile of the per-channel values `value(c)`, repeated `tileRows` times (`tileLength` floats;
    /// the caller deallocates it).
    private func tiled(_ value: (Int) -> Float) -> UnsafeMutablePointer<Float> {
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileLength)
        for c in 0..<channels { tile[c] = value(c) }
        for row in 1..<tileRows { (tile + row * channels).update(from: tile, count: channels) }
        return tile
    }

    /// Calls `body(offset, count)` for the tiles of rows `range`: `count` floats from float `offset`,
    /// starting at a row's first channel (the last tile may be shorter).
    @inline(__always)
    private func forEachTile(of range: Range<Int>, _ body: (Int, Int) -> Void) {
        var row = range.lowerBound
        while row < range.upperBound {
            let tileRows = min(self.tileRows, range.upperBound - row)
            body(row * channels, tileRows * channels)
            row += tileRows
        }
    }

    /// `forEachTile(of:_:)` with the tile's input: `body(offset, count, x)`, `x` pointing at the
    /// tile's `count` floats (in place, or gathered from the parts into a buffer of the thread's).
    @inline(__always)
    private func forEachTile(of range: Range<Int>, input: Input, _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        switch input {
        case .contiguous(let whole):
            forEachTile(of: range) { offset, count in body(offset, count, whole + offset) }
        case .strided(let buffer, let rowStride) where channels >= Self.inPlaceRowChannels:
            precondition(rowStride >= channels, "BatchNormActivationKernel: rows of \(rowStride) floats for \(channels) channels")
            for row in range { body(row * channels, channels, buffer + row * rowStride) }
        case .strided(let buffer, let rowStride):
            precondition(rowStride >= channels, "BatchNormActivationKernel: rows of \(rowStride) floats for \(channels) channels")
            forEachGatheredTile(of: range, from: [(buffer, channels, rowStride)], body)
        case .channelParts(let parts, let widths):
            precondition(parts.count == widths.count && widths.reduce(0, +) == channels,
                         "BatchNormActivationKernel: parts of \(widths) channels for \(channels)")
            forEachGatheredTile(of: range, from: zip(parts, widths).map { ($0, $1, $1) }, body)
        }
    }

    /// `forEachTile(of:input:_:)` for input rows held in `parts` side by side: row `r`'s channels are
    /// part 0's `width` floats at `pointer + r · rowStride`, then part 1's, and so on. Each tile's
    /// rows are gathered into a buffer of the thread's.
    @inline(__always)
    private func forEachGatheredTile(of range: Range<Int>, from parts: [(pointer: UnsafePointer<Float>, width: Int, rowStride: Int)],
                                     _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileLength)
        defer { tile.deallocate() }
        forEachTile(of: range) { offset, count in
            let firstRow = offset / channels
            for row in 0..<count / channels {
                var position = tile + row * channels
                for part in parts {
                    let source = part.pointer + (firstRow + row) * part.rowStride
                    for k in 0..<part.width { position[k] = source[k] }
                    position += part.width
                }
            }
            body(offset, count, tile)
        }
    }

    /// Writes (or, where `adding[p]`, adds) the rows `rows` of the input gradient, `group
    /// [rows.count, channels]`, into the parts (`[self.rows, widths[p]]` each), part by part
    /// (`Tensor.copyRowChunks`).
    private func scatter(_ group: UnsafeMutablePointer<Float>, rows: Range<Int>, into parts: [UnsafeMutablePointer<Float>?],
                         widths: [Int], adding: [Bool]) {
        parts.withUnsafeBufferPointer { parts in
            widths.withUnsafeBufferPointer { widths in
                adding.withUnsafeBufferPointer { adding in
                    Tensor.copyRowChunks(whole: group, parts: parts, chunks: widths, rows: rows, joining: false, adding: adding)
                }
            }
        }
    }

    /// Per-channel sums over all rows: `accumulate(x, count, accumulator, offset)` adds one tile's
    /// contributions to a Float accumulator of `sumsPerChannel` tiles (sum s of the value at tile
    /// position i at `s · tileLength + i`). Two threads take half the rows each; their Float sums
    /// go into Double every `tilesPerBlock` tiles (rows, where the rows are read in place one at a
    /// time, so that no Float sum takes more than `tilesPerBlock` values), and the tile positions of
    /// a channel are added at the end.
    private func channelSums(sumsPerChannel: Int, input: Input,
                             _ accumulate: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void) -> [Double] {
        let rowsPerTile = if case .strided = input, channels >= Self.inPlaceRowChannels { 1 } else { tileRows }
        let totals = Parallel.blockedSums(count: sumsPerChannel * tileLength, rows: rows,
                                          rowsPerBlock: rowsPerTile * Self.tilesPerBlock, costPerRow: channels) { rows, block in
            forEachTile(of: rows, input: input) { offset, length, x in accumulate(x, length, block, offset) }
        }
        var sums = [Double](repeating: 0, count: sumsPerChannel * channels)
        for sum in 0..<sumsPerChannel {
            for position in 0..<tileLength {
                sums[sum * channels + position % channels] += totals[sum * tileLength + position]
            }
        }
        return sums
    }

    /// The gradient `dz` where the clamp passed the pre-activation `z` through (`lower < z < upper`),
    /// else 0, without a comparison: `0 - min(z - lower, upper - z)` is negative exactly inside (and +0 on
    /// the bounds), so its sign bit, spread over the word, masks `dz`. Selects (`z > lower ? dz : 0`)
    /// became branches here, and the loops around them stayed scalar (a quarter of the speed).
    @inline(__always)
    private static func masked(_ dz: Float, _ z: Float, _ lower: Float, _ upper: Float) -> Float {
        let outside = 0 - min(z - lower, upper - z)
        let mask = UInt32(bitPattern: Int32(bitPattern: outside.bitPattern) >> 31)
        return Float(bitPattern: dz.bitPattern & mask)
    }
}
