extension RGBImage {
    /// This image as a `size` x `size` square, following `policy`, resampled by
    /// `resized(width:height:)`. Returns `self` unchanged (the same pixels) when it already is
    /// `size` x `size`; a `size` below 0 counts as 0.
    ///
    /// - `.squash` is exactly `resized(width: size, height: size)`.
    /// - `.centerCrop` resizes first and crops second, as torchvision's `Resize(size)` +
    ///   `CenterCrop(size)` do: the shorter side becomes `size` and the longer one
    ///   `size * longer / shorter` rounded down (torchvision's `int(size * long / short)`); then
    ///   the square is cut out `(resizedLonger - size) / 2` pixels from the start of the longer
    ///   side, rounded half to even like Python's `round` (an excess of 1 gives offset 0, 3
    ///   gives 2, 5 gives 2). A square image gives the same result as `.squash`; an image
    ///   without pixels gives the black square that `.squash` gives.
    public func resized(toSquare size: Int, policy: ResizePolicy) -> RGBImage {
        let side = max(size, 0)
        guard policy == .centerCrop, width > 0, height > 0 else { return resized(width: side, height: side) }
        let portrait = width <= height
        let shorter = portrait ? width : height, longer = portrait ? height : width
        let resizedLonger = side * longer / shorter
        let offset = Int((Double(resizedLonger - side) / 2).rounded(.toNearestOrEven))
        if portrait {
            return resized(width: side, height: resizedLonger).cropped(left: 0, top: offset, width: side, height: side)
        }
        return resized(width: resizedLonger, height: side).cropped(left: offset, top: 0, width: side, height: side)
    }

    /// The `width` x `height` rectangle whose top-left pixel is (`left`, `top`), which must lie
    /// inside this image; `self` when the rectangle is the whole image.
    func cropped(left: Int, top: Int, width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(left >= 0 && top >= 0 && newWidth >= 0 && newHeight >= 0
                         && left + newWidth <= width && top + newHeight <= height,
                     "crop \(newWidth)x\(newHeight) at (\(left), \(top)) outside a \(width)x\(height) image")
        if newWidth == width && newHeight == height { return self }
        var result: [UInt8] = []
        result.reserveCapacity(newWidth * newHeight * 3)
        for y in top..<(top + newHeight) {
            let rowStart = (y * width + left) * 3
            result.append(contentsOf: pixels[rowStart..<(rowStart + newWidth * 3)])
        }
        return RGBImage(validatedWidth: newWidth, height: newHeight, pixels: result)
    }
}
