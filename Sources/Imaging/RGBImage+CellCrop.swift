/// Square cuts around a point and the eight symmetries of a square: what a model that looks at
/// single cells of a smear image takes from it.
extension RGBImage {
    /// The `side` x `side` square centred on (`centerX`, `centerY`) (pixel centres at integer
    /// coordinates, so the square covers columns `round(centerX) - side / 2` onwards); where it
    /// reaches past the image, the nearest edge pixel is repeated.
    public func square(side: Int, centeredAt centerX: Double, _ centerY: Double) -> RGBImage {
        precondition(side > 0 && width > 0 && height > 0, "a square of side \(side) from a \(width)x\(height) image")
        let left = Int(centerX.rounded()) - side / 2, top = Int(centerY.rounded()) - side / 2
        var output = [UInt8](repeating: 0, count: side * side * 3)
        for row in 0..<side {
            let y = Swift.min(Swift.max(top + row, 0), height - 1)
            for column in 0..<side {
                let x = Swift.min(Swift.max(left + column, 0), width - 1)
                let source = (y * width + x) * 3, destination = (row * side + column) * 3
                output[destination] = pixels[source]
                output[destination + 1] = pixels[source + 1]
                output[destination + 2] = pixels[source + 2]
            }
        }
        return RGBImage(validatedWidth: side, height: side, pixels: output)
    }

    /// The image under symmetry `index` (0..<8) of the square: 0 is the image itself, 1–3 turn
    /// it by 90°, 180° and 270° clockwise, 4–7 mirror those left to right. Cells have no up or
    /// down, so all eight are the same cell. The image must be square.
    public func dihedral(_ index: Int) -> RGBImage {
        precondition(width == height && (0..<8).contains(index), "symmetry \(index) of a \(width)x\(height) image")
        guard index != 0 else { return self }
        let side = width, turns = index % 4, mirrored = index >= 4
        var output = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<side {
            for x in 0..<side {
                // Output pixel (x, y) comes from the source pixel that the symmetry maps onto it.
                let mx = mirrored ? side - 1 - x : x
                let (sx, sy): (Int, Int)
                switch turns {
                case 1: (sx, sy) = (y, side - 1 - mx)
                case 2: (sx, sy) = (side - 1 - mx, side - 1 - y)
                case 3: (sx, sy) = (side - 1 - y, mx)
                default: (sx, sy) = (mx, y)
                }
                let source = (sy * side + sx) * 3, destination = (y * side + x) * 3
                output[destination] = pixels[source]
                output[destination + 1] = pixels[source + 1]
                output[destination + 2] = pixels[source + 2]
            }
        }
        return RGBImage(validatedWidth: side, height: side, pixels: output)
    }
}
