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
/// Sums are accumulated in Float over blocks of `blockRows` rows, then in Double across blocks
/// and threads. The batch variance uses the first row as a shift (`Σ(x - k)²/n - (Σ(x - k)/n)²`),
/// which stays accurate when the mean is large against the spread. Channels come in vectors of
/// 8, so `channels` must be a multiple of 8 (`handles(channels:)`); callers fall back to the
/// unfused primitives otherwise.
package struct BatchNormActivationKernel: Sendable {
    /// Rows (batch · height · width) and channels of the activations.
    package let rows: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float
    /// The activation clamps the normalized value to `[lower, upper]` (upper infinite for ReLU).
    package let lower: Float, upper: Float

    /// Rows summed in Float before the block's sums go into the Double totals.
    static let blockRows = 128
    private typealias Vector = SIMD8<Float>
    private static let lanes = Vector.scalarCount

    /// Whether the fused kernel takes activations with this many channels.
    package static func handles(channels: Int) -> Bool { channels > 0 && channels % lanes == 0 }

    /// - Parameter upper: 6 for ReLU6, `.infinity` for ReLU.
    package init(rows: Int, channels: Int, epsilon: Float, upper: Float) {
        precondition(rows > 0 && Self.handles(channels: channels) && epsilon > 0 && upper > 0,
                     "BatchNormActivationKernel: \(rows) rows of \(channels) channels, epsilon \(epsilon)")
        self.rows = rows
        self.channels = channels
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
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            let shiftRow = input  // the first row: k in Σ(x - k)
            let sums = channelSums(sumsPerChannel: 2) { rows, accumulator in
                let deviations = accumulator, squares = accumulator + channels
                for row in rows {
                    let x = input + row * channels
                    for c in stride(from: 0, to: channels, by: Self.lanes) {
                        let d = Self.load(x + c) - Self.load(shiftRow + c)
                        Self.store(Self.load(deviations + c) + d, deviations + c)
                        Self.store(Self.load(squares + c) + d * d, squares + c)
                    }
                }
            }
            let n = Double(rows)
            for c in 0..<channels {
                let meanDeviation = sums[c] / n
                mean[c] = Float(Double(shiftRow[c]) + meanDeviation)
                variance[c] = Float(max(0, sums[channels + c] / n - meanDeviation * meanDeviation))
            }
            normalize(input: input, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// Forward pass with given (running) statistics, as in evaluation mode or a frozen layer.
    package func forwardWithStatistics(input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                       shift: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                       variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        KernelProfile.measure("batch normalization + activation forward (Swift)") {
            normalize(input: input, scale: scale, shift: shift, mean: mean, variance: variance, output: output)
        }
    }

    /// `output = clamp((input - mean) · a + shift)` with `a = scale / sqrt(variance + epsilon)` (the
    /// mean is subtracted first: folding it into the shift loses the spread to rounding when the
    /// mean is large against it).
    private func normalize(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                           mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        defer { a.deallocate() }
        for c in 0..<channels { a[c] = scale[c] / (variance[c] + epsilon).squareRoot() }
        let lower = Vector(repeating: self.lower), upper = Vector(repeating: self.upper)
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            for row in range {
                let x = input + row * channels, z = output + row * channels
                for c in stride(from: 0, to: channels, by: Self.lanes) {
                    let y = (Self.load(x + c) - Self.load(mean + c)) * Self.load(a + c) + Self.load(shift + c)
                    Self.store(y.clamped(lowerBound: lower, upperBound: upper), z + c)
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
        KernelProfile.measure("batch normalization + activation backward (Swift)") {
            let lower = Vector(repeating: self.lower), upper = Vector(repeating: self.upper), zero = Vector()
            // Σ dy and Σ dy · (x - mean), with dy = dz where lower < z < upper, else 0.
            let sums = channelSums(sumsPerChannel: 2) { rows, accumulator in
                let gradientSums = accumulator, productSums = accumulator + channels
                for row in rows {
                    let offset = row * channels
                    for c in stride(from: 0, to: channels, by: Self.lanes) {
                        let z = Self.load(output + offset + c)
                        let dy = zero.replacing(with: Self.load(gradOutput + offset + c), where: (z .> lower) .& (z .< upper))
                        Self.store(Self.load(gradientSums + c) + dy, gradientSums + c)
                        Self.store(Self.load(productSums + c) + dy * (Self.load(input + offset + c) - Self.load(mean + c)),
                                   productSums + c)
                    }
                }
            }
            // dx = a · dy - b · (x - mean) - d, per channel: a = scale · invstd; with batch statistics
            // b = a · invstd² · Σdy(x - mean) / n and d = a · Σdy / n; with given ones b = d = 0.
            let coefficients = UnsafeMutablePointer<Float>.allocate(capacity: 3 * channels)
            defer { coefficients.deallocate() }
            let a = coefficients, b = coefficients + channels, d = coefficients + 2 * channels
            let n = Double(rows)
            for c in 0..<channels {
                let inverseDeviation = 1 / (Double(variance[c]) + Double(epsilon)).squareRoot()
                let gradientSum = sums[c], productSum = sums[channels + c]
                gradShift[c] = Float(gradientSum)
                gradScale[c] = Float(productSum * inverseDeviation)
                let aValue = Double(scale[c]) * inverseDeviation
                let bValue = statisticsWereGiven ? 0 : aValue * inverseDeviation * inverseDeviation * productSum / n
                a[c] = Float(aValue)
                b[c] = Float(bValue)
                d[c] = statisticsWereGiven ? 0 : Float(aValue * gradientSum / n)
            }
            Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
                for row in range {
                    let offset = row * channels
                    for c in stride(from: 0, to: channels, by: Self.lanes) {
                        let z = Self.load(output + offset + c)
                        let dy = zero.replacing(with: Self.load(gradOutput + offset + c), where: (z .> lower) .& (z .< upper))
                        let deviation = Self.load(input + offset + c) - Self.load(mean + c)
                        let dx = dy * Self.load(a + c) - deviation * Self.load(b + c) - Self.load(d + c)
                        Self.store(dx, gradInput + offset + c)
                    }
                }
            }
        }
    }

    // MARK: Reductions

    /// Per-channel sums over all rows: `accumulate(rows, accumulator)` adds the rows' contributions
    /// to a zeroed Float accumulator of `sumsPerChannel · channels` values (sum s of channel c at
    /// `s · channels + c`); it is called on blocks of at most `blockRows` rows, on two threads, and
    /// the blocks' sums are added in Double.
    private func channelSums(sumsPerChannel: Int,
                             _ accumulate: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let count = sumsPerChannel * channels
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: count)
        totals.initialize(repeating: 0, count: count)
        defer { totals.deallocate() }
        let lock = NSLock()
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            let block = UnsafeMutablePointer<Float>.allocate(capacity: count)
            let partial = UnsafeMutablePointer<Double>.allocate(capacity: count)
            defer { block.deallocate(); partial.deallocate() }
            partial.initialize(repeating: 0, count: count)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: Self.blockRows) {
                block.initialize(repeating: 0, count: count)
                accumulate(start..<min(start + Self.blockRows, range.upperBound), block)
                for index in 0..<count { partial[index] += Double(block[index]) }
            }
            lock.withLock {
                for index in 0..<count { totals[index] += partial[index] }
            }
        }
        return Array(UnsafeBufferPointer(start: totals, count: count))
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<Float>) -> Vector { load(UnsafePointer(pointer)) }

    @inline(__always)
    private static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }
}
