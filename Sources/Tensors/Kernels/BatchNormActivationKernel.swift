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
/// which stays accurate when the mean is large against the spread.
///
/// The loops are plain loops over a row's channels, which the compiler vectorizes; every load
/// is unconditional (a load inside `? :` is not speculated, and the loop stays scalar). Written
/// with `SIMD8<Float>` instead, the normalization ran at a quarter of the speed (5.8 against
/// 23–32 GB/s for 16–256 channels, 2026-12-05, AMD EPYC Zen 4).
package struct BatchNormActivationKernel: Sendable {
    /// Rows (batch · height · width) and channels of the activations.
    package let rows: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float
    /// The activation clamps the normalized value to `[lower, upper]` (upper infinite for ReLU).
    package let lower: Float, upper: Float

    /// Rows summed in Float before the block's sums go into the Double totals.
    static let blockRows = 128

    /// - Parameter upper: 6 for ReLU6, `.infinity` for ReLU.
    package init(rows: Int, channels: Int, epsilon: Float, upper: Float) {
        precondition(rows > 0 && channels > 0 && epsilon > 0 && upper > 0,
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
                    for c in 0..<channels {
                        let d = x[c] - shiftRow[c]
                        deviations[c] += d
                        squares[c] += d * d
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
        let lower = self.lower, upper = self.upper
        Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
            for row in range {
                let x = input + row * channels, z = output + row * channels
                for c in 0..<channels {
                    z[c] = min(max((x[c] - mean[c]) * a[c] + shift[c], lower), upper)
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
            let lower = self.lower, upper = self.upper
            // Σ dy and Σ dy · (x - mean), with dy = dz where lower < z < upper, else 0.
            let sums = channelSums(sumsPerChannel: 2) { rows, accumulator in
                let gradientSums = accumulator, productSums = accumulator + channels
                for row in rows {
                    let z = output + row * channels, dz = gradOutput + row * channels, x = input + row * channels
                    for c in 0..<channels {
                        let dy = Self.masked(dz[c], z[c], lower, upper)
                        gradientSums[c] += dy
                        productSums[c] += dy * (x[c] - mean[c])
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
                    let z = output + row * channels, dz = gradOutput + row * channels, x = input + row * channels
                    let dx = gradInput + row * channels
                    for c in 0..<channels {
                        dx[c] = Self.masked(dz[c], z[c], lower, upper) * a[c] - (x[c] - mean[c]) * b[c] - d[c]
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

    /// The gradient `dz` where the clamp passed the value through (`lower < z < upper`), else 0;
    /// both loads happen before the selects, so that the loop around it vectorizes.
    @inline(__always)
    private static func masked(_ dz: Float, _ z: Float, _ lower: Float, _ upper: Float) -> Float {
        let aboveLower = z > lower ? dz : 0
        return z < upper ? aboveLower : 0
    }
}
