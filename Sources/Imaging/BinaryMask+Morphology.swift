/// Binary morphology: dilation, erosion, opening, closing and hole filling.
///
/// At the image border, the structuring element is cut: dilation and erosion look only at the
/// pixels inside the image. So erosion, and opening, do not eat a region from the border side
/// (a cell cut by the border keeps its cut edge), while closing treats the outside as clear, as
/// if the image went on beyond its border, and adds nothing between a region and the border.
extension BinaryMask {
    /// Dilation: a pixel is set when any pixel under `element` centred on it is set.
    public func dilated(by element: StructuringElement) -> BinaryMask {
        filtered(by: element) { setCount, _ in setCount > 0 }
    }

    /// Erosion: a pixel stays set when every pixel under `element` centred on it is set.
    public func eroded(by element: StructuringElement) -> BinaryMask {
        filtered(by: element) { setCount, pixelCount in setCount == pixelCount }
    }

    /// Opening (erosion, then dilation): removes the set parts narrower than `element` (specks,
    /// thin bridges and spurs) and keeps the rest, never adding a pixel.
    public func opened(by element: StructuringElement) -> BinaryMask {
        eroded(by: element).dilated(by: element)
    }

    /// Closing (dilation, then erosion): fills the clear gaps and notches narrower than `element`,
    /// never removing a pixel. It works on the mask padded with `element.radius` clear pixels on
    /// each side, so what the dilation pushes past the border comes back with the erosion.
    public func closed(by element: StructuringElement) -> BinaryMask {
        let margin = element.radius
        return padded(by: margin).dilated(by: element).eroded(by: element).cropped(by: margin)
    }

    /// This mask with its holes set. A hole is a clear pixel that cannot be reached from a clear
    /// pixel of the image border by horizontal and vertical steps through clear pixels (the
    /// background is 4-connected, the dual of the 8-connected regions of `connectedComponents`).
    /// A ring cut open by the border therefore keeps its inside clear.
    public func holesFilled() -> BinaryMask {
        let count = width * height
        guard count > 0 else { return self }
        var outside = [Bool](repeating: false, count: count)
        var queue: [Int] = []
        queue.reserveCapacity(count)
        func reach(_ index: Int) {
            guard !bits[index], !outside[index] else { return }
            outside[index] = true
            queue.append(index)
        }
        for x in 0..<width {
            reach(x)
            reach((height - 1) * width + x)
        }
        for y in 0..<height {
            reach(y * width)
            reach(y * width + width - 1)
        }
        var head = 0
        while head < queue.count {
            let index = queue[head]
            head += 1
            let x = index % width, y = index / width
            if x > 0 { reach(index - 1) }
            if x < width - 1 { reach(index + 1) }
            if y > 0 { reach(index - width) }
            if y < height - 1 { reach(index + width) }
        }
        return BinaryMask(validatedWidth: width, height: height, bits: outside.map { !$0 })
    }

    /// This mask inside a frame of `margin` clear pixels on each side.
    private func padded(by margin: Int) -> BinaryMask {
        guard margin > 0 else { return self }
        let paddedWidth = width + 2 * margin
        var result = [Bool](repeating: false, count: paddedWidth * (height + 2 * margin))
        for y in 0..<height {
            let start = (y + margin) * paddedWidth + margin
            result.replaceSubrange(start..<(start + width), with: bits[(y * width)..<((y + 1) * width)])
        }
        return BinaryMask(validatedWidth: paddedWidth, height: height + 2 * margin, bits: result)
    }

    /// This mask without `margin` pixels on each side (undoes `padded(by:)`).
    private func cropped(by margin: Int) -> BinaryMask {
        guard margin > 0 else { return self }
        let innerWidth = width - 2 * margin, innerHeight = height - 2 * margin
        var result: [Bool] = []
        result.reserveCapacity(innerWidth * innerHeight)
        for y in margin..<(height - margin) {
            result.append(contentsOf: bits[(y * width + margin)..<(y * width + margin + innerWidth)])
        }
        return BinaryMask(validatedWidth: innerWidth, height: innerHeight, bits: result)
    }

    /// Each pixel set when `keep(set pixels under element, in-image pixels under element)`, with
    /// the element centred on the pixel. Counts come from per-row running sums, so each pixel
    /// costs one step per row of the element. (Over buffer pointers: with array subscripts a debug
    /// build, which the tests run, spent a fifth of a cell-attention training here.)
    private func filtered(by element: StructuringElement, keep: (Int, Int) -> Bool) -> BinaryMask {
        let stride = width + 1, width = width, height = height
        // setBefore[y * stride + x]: the set pixels of row y in columns 0..<x.
        var setBefore = [Int](repeating: 0, count: stride * height)
        setBefore.withUnsafeMutableBufferPointer { setBefore in
            bits.withUnsafeBufferPointer { bits in
                for y in 0..<height {
                    for x in 0..<width {
                        setBefore[y * stride + x + 1] = setBefore[y * stride + x] + (bits[y * width + x] ? 1 : 0)
                    }
                }
            }
        }
        let rows = element.rows
        let result = [Bool](unsafeUninitializedCapacity: width * height) { result, initialized in
            setBefore.withUnsafeBufferPointer { setBefore in
                rows.withUnsafeBufferPointer { rows in
                    for y in 0..<height {
                        for x in 0..<width {
                            var setCount = 0, pixelCount = 0
                            for run in rows.indices {
                                let row = y + rows[run].dy, halfWidth = rows[run].halfWidth
                                guard row >= 0, row < height else { continue }
                                let left = Swift.max(x - halfWidth, 0), right = Swift.min(x + halfWidth, width - 1)
                                setCount += setBefore[row * stride + right + 1] - setBefore[row * stride + left]
                                pixelCount += right - left + 1
                            }
                            result[y * width + x] = keep(setCount, pixelCount)
                        }
                    }
                }
            }
            initialized = width * height
        }
        return BinaryMask(validatedWidth: width, height: height, bits: result)
    }
}
