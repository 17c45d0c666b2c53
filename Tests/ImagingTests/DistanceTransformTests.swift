import Randomness
import XCTest
@testable import Imaging

final class DistanceTransformTests: XCTestCase {
    /// The distance transform by brute force: for each pixel, the minimum over all clear pixels.
    private func bruteForce(_ mask: BinaryMask) -> [Float] {
        let clear = mask.bits.indices.filter { !mask.bits[$0] }.map { ($0 % mask.width, $0 / mask.width) }
        return mask.bits.indices.map { index in
            let x = index % mask.width, y = index / mask.width
            let squared = clear.map { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) }.min()
            return squared.map { Float(Double($0).squareRoot()) } ?? .infinity
        }
    }

    func testMatchesBruteForceOnRandomMasks() throws {
        var generator = SeededGenerator(seed: 18)
        for (width, height, setShare) in [(37, 23, 0.7), (23, 37, 0.95), (50, 40, 0.995), (1, 17, 0.6), (19, 1, 0.6), (64, 64, 0.5)] {
            let bits = (0..<(width * height)).map { _ in Double(generator.next() % 10_000) / 10_000 < setShare }
            let mask = try BinaryMask(width: width, height: height, bits: bits)
            let map = mask.distanceTransform()
            XCTAssertEqual(map.width, width)
            XCTAssertEqual(map.height, height)
            XCTAssertEqual(map.distances, bruteForce(mask), "\(width)x\(height), \(setShare) set")
        }
    }

    func testKnownDistancesAndTheEdgeCases() throws {
        // One clear pixel in the middle of a 5x5 mask.
        var bits = [Bool](repeating: true, count: 25)
        bits[12] = false
        let map = try BinaryMask(width: 5, height: 5, bits: bits).distanceTransform()
        XCTAssertEqual(map.distance(x: 2, y: 2), 0)
        XCTAssertEqual(map.distance(x: 3, y: 2), 1)
        XCTAssertEqual(map.distance(x: 3, y: 3), Float(2.0).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(map.distance(x: 0, y: 0), Float(8.0).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(map.distance(x: 0, y: 1), Float(5.0).squareRoot(), accuracy: 1e-6)
        // Without clear pixels every distance is infinite; without set pixels every distance is 0.
        XCTAssertEqual(try BinaryMask(width: 3, height: 2, bits: [Bool](repeating: true, count: 6)).distanceTransform().distances,
                       [Float](repeating: .infinity, count: 6))
        XCTAssertEqual(try BinaryMask(width: 3, height: 2, bits: [Bool](repeating: false, count: 6)).distanceTransform().distances,
                       [Float](repeating: 0, count: 6))
        XCTAssertEqual(try BinaryMask(width: 0, height: 0, bits: []).distanceTransform().distances, [])
    }
}
