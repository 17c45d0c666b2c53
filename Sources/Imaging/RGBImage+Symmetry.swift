extension RGBImage {
    /// This image moved by `symmetry`: the same pixels in new places; `height` x `width` when the
    /// symmetry swaps sides.
    public func transformed(by symmetry: SquareSymmetry) -> RGBImage {
        guard symmetry != .identity else { return self }
        let (outputWidth, outputHeight) = symmetry.swapsSides ? (height, width) : (width, height)
        let result = [UInt8](unsafeUninitializedCapacity: pixels.count) { output, initialized in
            pixels.withUnsafeBufferPointer { input in
                for v in 0..<outputHeight {
                    for u in 0..<outputWidth {
                        let (x, y) = symmetry.source(ofOutput: u, v, width: width, height: height)
                        let from = (y * width + x) * 3, to = (v * outputWidth + u) * 3
                        output[to] = input[from]
                        output[to + 1] = input[from + 1]
                        output[to + 2] = input[from + 2]
                    }
                }
            }
            initialized = pixels.count
        }
        return RGBImage(validatedWidth: outputWidth, height: outputHeight, pixels: result)
    }
}
