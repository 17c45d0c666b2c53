import Foundation
import Imaging
import Randomness

/// Small synthetic "smear" images for tests: a pale pink background with purple disks whose
/// number and size depend on the class, so that a classifier can learn the classes.
public enum SyntheticSmears {
    /// The four class folder names, in class order.
    public static let classNames = ["Benign", "Early", "Pre", "Pro"]

    /// An image of class `classIndex` (0...3): `classIndex + 1` purple disks of radius
    /// `(4 + 2 * classIndex) * size / 64` at random places, on a noisy pink background.
    public static func image(classIndex: Int, size: Int, generator: inout SeededGenerator) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for index in 0..<(size * size) {
            let noise = Int(generator.next() % 9) - 4
            pixels[index * 3] = UInt8(230 + noise)
            pixels[index * 3 + 1] = UInt8(200 + noise)
            pixels[index * 3 + 2] = UInt8(212 + noise)
        }
        let radius = max(1, (4 + 2 * classIndex) * size / 64)
        for _ in 0...classIndex {
            let cx = radius + Int(generator.next() % UInt64(size - 2 * radius))
            let cy = radius + Int(generator.next() % UInt64(size - 2 * radius))
            for y in (cy - radius)...(cy + radius) {
                for x in (cx - radius)...(cx + radius) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius {
                    let offset = (y * size + x) * 3
                    pixels[offset] = 120
                    pixels[offset + 1] = 60
                    pixels[offset + 2] = 170
                }
            }
        }
        return try! RGBImage(width: size, height: size, pixels: pixels)
    }

    /// Writes `perClass` JPEG images per class into `root/<Class>/<Class>-NNN.jpg`, class i of
    /// `classNames` drawn as `image(classIndex: i, ...)` (up to 8 classes at size 32 and above);
    /// returns the written files by class.
    @discardableResult
    public static func writeDataset(at root: URL, perClass: Int, seed: UInt64, size: Int = 64,
                                    classNames: [String] = classNames) throws -> [[URL]] {
        var generator = SeededGenerator(seed: seed)
        return try classNames.enumerated().map { classIndex, name in
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try (1...perClass).map { number in
                let file = folder.appendingPathComponent(String(format: "%@-%03d.jpg", name, number))
                let image = Self.image(classIndex: classIndex, size: size, generator: &generator)
                try ImageEncoder.jpeg(image, quality: 95).write(to: file)
                return file
            }
        }
    }
}
