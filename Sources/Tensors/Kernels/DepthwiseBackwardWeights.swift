import Foundation

/// Weight and bias gradients of a depthwise convolution (one filter per channel) on NHWC
/// activations, in Swift: oneDNN 2.6 has no fast NHWC implementation of this pass (its generic
/// kernel reaches ~4 GFLOP/s on ConvNeXt's 7x7 layers).
///
/// Every output pixel adds `gradOutput[pixel, c] * input[tap, c]` into `gradWeights[tap, c]` for
/// each kernel tap; channels are contiguous in NHWC, so the innermost loop is a vector
/// multiply-add over channels into a per-thread accumulator that stays in L1.
enum DepthwiseBackwardWeights {
    /// Whether `geometry` is depthwise with one filter per channel (the case handled here).
    static func handles(_ geometry: Convolution2DGeometry) -> Bool {
        geometry.groups > 1 && geometry.groups == geometry.inputChannels && geometry.outputChannels == geometry.inputChannels
    }

    /// Writes `gradWeights` (PyTorch layout `[channels, 1, kH, kW]`) and, if given, `gradBias`.
    static func run(_ geometry: Convolution2DGeometry, outputHeight: Int, outputWidth: Int,
                    input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                    gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?) {
        let channels = geometry.inputChannels, window = geometry.window
        let taps = window.kernelHeight * window.kernelWidth
        let accumulatorCount = (taps + 1) * channels  // taps, then the bias row
        let total = UnsafeMutablePointer<Float>.allocate(capacity: accumulatorCount)
        total.initialize(repeating: 0, count: accumulatorCount)
        defer { total.deallocate() }
        let lock = NSLock()
        let rows = geometry.batch * outputHeight
        Parallel.forEachChunk(count: rows, costPerItem: outputWidth * taps * channels) { range in
            let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: accumulatorCount)
            accumulator.initialize(repeating: 0, count: accumulatorCount)
            defer { accumulator.deallocate() }
            accumulate(geometry, outputHeight: outputHeight, outputWidth: outputWidth, rows: range,
                       input: input, gradOutput: gradOutput, into: accumulator)
            lock.lock()
            for index in 0..<accumulatorCount { total[index] += accumulator[index] }
            lock.unlock()
        }
        for channel in 0..<channels {
            for tap in 0..<taps { gradWeights[channel * taps + tap] = total[tap * channels + channel] }
        }
        if let gradBias { gradBias.update(from: total + taps * channels, count: channels) }
    }

    /// Adds the contributions of output rows `rows` (flattened batch * outputHeight) to `accumulator`.
    ///
    /// For one tap, the sum over an output row's pixels of `gradOutput * input` is kept in
    /// registers (four independent 16-lane chains of fused multiply-adds, `addProduct`: `+= a * b`
    /// is a multiply and an add, Swift never contracts them) and added to the accumulator once.
    private static func accumulate(_ geometry: Convolution2DGeometry, outputHeight: Int, outputWidth: Int, rows: Range<Int>,
                                   input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                   into accumulator: UnsafeMutablePointer<Float>) {
        let channels = geometry.inputChannels, window = geometry.window
        let height = geometry.inputHeight, width = geometry.inputWidth
        let biasRow = accumulator + window.kernelHeight * window.kernelWidth * channels
        for row in rows {
            let n = row / outputHeight, oy = row % outputHeight
            let gradientRow = gradOutput + (n * outputHeight + oy) * outputWidth * channels
            for ox in 0..<outputWidth {
                let gradient = gradientRow + ox * channels
                for c in 0..<channels { biasRow[c] += gradient[c] }
            }
            for ky in 0..<window.kernelHeight {
                let iy = oy * window.strideY - window.padding.top + ky * window.dilationY
                guard iy >= 0, iy < height else { continue }
                let inputRow = input + (n * height + iy) * width * channels
                for kx in 0..<window.kernelWidth {
                    // Output columns whose tap kx lands inside the image: 0 <= ox * s - left + kx * d < width,
                    // so ox >= ceil(-offset / s) and ox <= floor((width - 1 - offset) / s); Swift's division
                    // truncates, which is the ceiling for the first bound's negative values but not the
                    // floor for the second's (a tap right of a narrow image, e.g. 5x5 on 1x1 at stride 2).
                    let offset = kx * window.dilationX - window.padding.left
                    let first = max(0, (-offset + window.strideX - 1) / window.strideX)
                    let lastColumn = width - 1 - offset
                    guard lastColumn >= 0 else { continue }
                    let end = min(outputWidth, lastColumn / window.strideX + 1)
                    guard first < end else { continue }
                    let target = accumulator + (ky * window.kernelWidth + kx) * channels
                    addRowProducts(count: end - first, channels: channels,
                                   gradient: gradientRow + first * channels, gradientStride: channels,
                                   input: inputRow + (first * window.strideX + offset) * channels,
                                   inputStride: window.strideX * channels, into: target)
                }
            }
        }
    }

    /// `target[c] += sum over i < count of gradient[i * gradientStride + c] * input[i * inputStride + c]`.
    @inline(__always)
    private static func addRowProducts(count: Int, channels: Int, gradient: UnsafePointer<Float>, gradientStride: Int,
                                       input: UnsafePointer<Float>, inputStride: Int, into target: UnsafeMutablePointer<Float>) {
        typealias Vector = SIMD16<Float>
        func load(_ pointer: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self) }
        func add(_ sum: Vector, to pointer: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(pointer).storeBytes(of: load(pointer) + sum, as: Vector.self)
        }
        var c = 0
        while c + 32 <= channels {
            var even0 = Vector(), even1 = Vector(), odd0 = Vector(), odd1 = Vector()
            var i = 0
            while i + 1 < count {
                let g = gradient + i * gradientStride + c, x = input + i * inputStride + c
                even0.addProduct(load(g), load(x))
                even1.addProduct(load(g + 16), load(x + 16))
                odd0.addProduct(load(g + gradientStride), load(x + inputStride))
                odd1.addProduct(load(g + gradientStride + 16), load(x + inputStride + 16))
                i += 2
            }
            if i < count {
                let g = gradient + i * gradientStride + c, x = input + i * inputStride + c
                even0.addProduct(load(g), load(x))
                even1.addProduct(load(g + 16), load(x + 16))
            }
            add(even0 + odd0, to: target + c)
            add(even1 + odd1, to: target + c + 16)
            c += 32
        }
        while c + 16 <= channels {
            var even = Vector(), odd = Vector()
            var i = 0
            while i + 1 < count {
                even.addProduct(load(gradient + i * gradientStride + c), load(input + i * inputStride + c))
                odd.addProduct(load(gradient + (i + 1) * gradientStride + c), load(input + (i + 1) * inputStride + c))
                i += 2
            }
            if i < count { even.addProduct(load(gradient + i * gradientStride + c), load(input + i * inputStride + c)) }
            add(even + odd, to: target + c)
            c += 16
        }
        while c < channels {
            var sum: Float = 0
            for i in 0..<count { sum += gradient[i * gradientStride + c] * input[i * inputStride + c] }
            target[c] += sum
            c += 1
        }
    }
}
