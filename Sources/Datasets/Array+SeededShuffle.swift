import Randomness

extension Array {
    /// Fisher–Yates shuffle drawing from `generator` with our own index rule (not the standard
    /// library's), so a seed gives the same order on every platform and Swift version.
    public mutating func seededShuffle(using generator: inout SeededGenerator) {
        guard count > 1 else { return }
        for index in stride(from: count - 1, to: 0, by: -1) {
            // Multiply-shift maps 64 random bits onto 0...index (bias below 2^-50 for our sizes).
            let bound = UInt64(index + 1)
            let other = Int(bound.multipliedFullWidth(by: generator.next()).high)
            swapAt(index, other)
        }
    }
}
