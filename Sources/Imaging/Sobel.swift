extension GrayImage {
    /// The Sobel gradient magnitude √(gx² + gy²) with the unnormalized kernels
    /// [-1 0 1; -2 0 2; -1 0 1] and its transpose, for interior pixels only: the result is
    /// (width - 2) x (height - 2) (empty when a side is below 3). A step of height 1 across a
    /// vertical edge gives 4 in the two columns next to it.
    public func sobelMagnitude() -> GrayImage {
        guard width >= 3, height >= 3 else { return GrayImage(validatedWidth: 0, height: 0, values: []) }
        let outputWidth = width - 2, outputHeight = height - 2
        let count = outputWidth * outputHeight
        let magnitudes = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            values.withUnsafeBufferPointer { input in
                for y in 1..<(height - 1) {
                    let above = (y - 1) * width, row = y * width, below = (y + 1) * width
                    for x in 1..<(width - 1) {
                        let gx = (input[above + x + 1] - input[above + x - 1])
                            + 2 * (input[row + x + 1] - input[row + x - 1])
                            + (input[below + x + 1] - input[below + x - 1])
                        let gy = (input[below + x - 1] - input[above + x - 1])
                            + 2 * (input[below + x] - input[above + x])
                            + (input[below + x + 1] - input[above + x + 1])
                        output[(y - 1) * outputWidth + x - 1] = (gx * gx + gy * gy).squareRoot()
                    }
                }
            }
            initialized = count
        }
        return GrayImage(validatedWidth: outputWidth, height: outputHeight, values: magnitudes)
    }
}
