/// A region number per pixel: 0 for pixels in no region, 1...regionCount for the regions, which
/// are numbered in the row-major order of their first (top-most, then left-most) pixel.
/// Row-major, top row first.
public struct LabelImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` labels; pixel (x, y) is at `y * width + x`.
    public let labels: [Int32]
    /// The number of regions; the labels run from 1 to this.
    public let regionCount: Int

    /// The labels `rawLabels` (any non-negative numbers, 0 for no region) renumbered 1, 2, ... in
    /// the row-major order of each region's first pixel.
    init(validatedWidth width: Int, height: Int, renumbering rawLabels: [Int]) {
        // numbers[raw]: the new label of raw label `raw`, 0 until its first pixel is met.
        var numbers = [Int32](repeating: 0, count: (rawLabels.max() ?? 0) + 1)
        var regionCount: Int32 = 0
        labels = rawLabels.map { raw in
            guard raw != 0 else { return 0 }
            if numbers[raw] == 0 {
                regionCount += 1
                numbers[raw] = regionCount
            }
            return numbers[raw]
        }
        self.width = width
        self.height = height
        self.regionCount = Int(regionCount)
    }

    /// The label of pixel (x, y), which must lie inside the image.
    public func label(x: Int, y: Int) -> Int32 {
        labels[y * width + x]
    }
}
