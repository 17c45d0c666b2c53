import Imaging
import Randomness

/// Synthetic smears for the cell detector: purple discs (white cells), some of them in touching
/// pairs, and pale pink discs (red cells, not to be found) on a noisy pink background.
public enum SyntheticCells {
    /// One synthetic smear and where its white cells are.
    public struct Scene {
        public let image: RGBImage
        /// The white cells' centres, in pixels.
        public let centres: [(x: Double, y: Double)]
        /// The number of touching pairs among them.
        public let touchingPairs: Int
    }

    /// White cells: the purple of `SyntheticSmears`.
    public static let purple = (red: 120, green: 60, blue: 170)
    /// Red cells: pale pink, a little darker than the background.
    public static let redCell = (red: 200, green: 170, blue: 190)
    /// The background of `SyntheticSmears`.
    public static let background = (red: 230, green: 200, blue: 212)

    /// A `size` x `size` smear with `cellCount` (0...8) white cells of radius `radius`, placed in a
    /// 3x3 grid of slots in random order: `cellCount / 2` slots hold a touching pair (two discs
    /// whose centres are 2 · radius − 2 pixels apart, side by side, one above the other or
    /// diagonal), one slot more a single disc when `cellCount` is odd, and each free slot a red
    /// cell of radius `radius − 2`. Colours get ±4 of noise per pixel.
    public static func scene(cellCount: Int, size: Int = 224, radius: Int = 12, seed: UInt64) -> Scene {
        precondition((0...8).contains(cellCount), "0...8 cells fit the 3x3 slots")
        var generator = SeededGenerator(seed: seed)
        var slots = Array(0..<9)
        for index in stride(from: slots.count - 1, to: 0, by: -1) {
            slots.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        let slotSize = Double(size) / 3
        func slotCentre(_ slot: Int) -> (x: Double, y: Double) {
            ((Double(slot % 3) + 0.5) * slotSize, (Double(slot / 3) + 0.5) * slotSize)
        }
        let pairs = cellCount / 2, half = Double(radius) - 1
        let directions: [(Double, Double)] = [(1, 0), (0, 1), (0.5.squareRoot(), 0.5.squareRoot())]
        var centres: [(x: Double, y: Double)] = []
        for slot in slots.prefix(pairs) {
            let centre = slotCentre(slot), direction = directions[Int(generator.next() % 3)]
            centres.append((centre.x - half * direction.0, centre.y - half * direction.1))
            centres.append((centre.x + half * direction.0, centre.y + half * direction.1))
        }
        if cellCount % 2 == 1 { centres.append(slotCentre(slots[pairs])) }
        let redCells = slots.dropFirst(pairs + cellCount % 2).map(slotCentre)

        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                func inside(_ centres: [(x: Double, y: Double)], _ r: Int) -> Bool {
                    centres.contains { (Double(x) - $0.x) * (Double(x) - $0.x) + (Double(y) - $0.y) * (Double(y) - $0.y)
                        <= Double(r * r) }
                }
                let color = inside(centres, radius) ? purple : inside(redCells, radius - 2) ? redCell : background
                let noise = Int(generator.next() % 9) - 4, offset = (y * size + x) * 3
                pixels[offset] = UInt8(color.red + noise)
                pixels[offset + 1] = UInt8(color.green + noise)
                pixels[offset + 2] = UInt8(color.blue + noise)
            }
        }
        return Scene(image: try! RGBImage(width: size, height: size, pixels: pixels), centres: centres, touchingPairs: pairs)
    }
}
