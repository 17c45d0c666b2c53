import XCTest
@testable import Imaging

final class WatershedTests: XCTestCase {
    /// A `width` x `height` mask set inside the discs (centre x, centre y, radius).
    private func discs(_ discs: [(Double, Double, Double)], width: Int = 60, height: Int = 40) -> BinaryMask {
        let bits = (0..<(width * height)).map { index in
            let x = Double(index % width), y = Double(index / width)
            return discs.contains { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) <= $0.2 * $0.2 }
        }
        return BinaryMask(validatedWidth: width, height: height, bits: bits)
    }

    func testATouchingPairIsSplitInTwoAtItsNeck() {
        let mask = discs([(20, 20, 10), (38, 20, 10)])
        XCTAssertEqual(mask.connectedComponents().count, 1, "the discs overlap")
        let basins = mask.distanceTransform().watershed(minimumDepth: 2)
        XCTAssertEqual(basins.regionCount, 2)
        XCTAssertEqual(basins.label(x: 20, y: 20), 1)
        XCTAssertEqual(basins.label(x: 38, y: 20), 2)
        // Every set pixel has a basin, clear pixels none; the split runs along the neck (x = 29).
        XCTAssertEqual(basins.labels.map { $0 != 0 }, mask.bits)
        for y in 0..<40 {
            for x in 0..<60 where mask.bits[y * 60 + x] && abs(x - 29) >= 2 {
                XCTAssertEqual(basins.label(x: x, y: y), x < 29 ? 1 : 2, "pixel (\(x), \(y))")
            }
        }
    }

    func testShallowPeaksStayWithTheirRegion() {
        // Two nearly coincident discs: the neck is almost as wide as the discs.
        let blob = discs([(25, 20, 10), (29, 20, 10)])
        XCTAssertEqual(blob.distanceTransform().watershed(minimumDepth: 2).regionCount, 1)
        // A deep requirement keeps even a clear pair together.
        let pair = discs([(20, 20, 10), (38, 20, 10)])
        XCTAssertEqual(pair.distanceTransform().watershed(minimumDepth: 20).regionCount, 1)
        // One disc alone stays whole, and so does a line, whose maxima form one plateau even with depth 0.
        XCTAssertEqual(discs([(30, 20, 12)]).distanceTransform().watershed(minimumDepth: 2).regionCount, 1)
        let bar = BinaryMask(validatedWidth: 20, height: 5, bits: (0..<100).map { $0 / 20 == 2 && $0 % 20 > 1 && $0 % 20 < 18 })
        XCTAssertEqual(bar.distanceTransform().watershed(minimumDepth: 0).regionCount, 1)
    }

    func testSeparateRegionsAreNumberedInRowMajorOrderOfTheirFirstPixel() {
        let mask = discs([(45, 8, 5), (10, 30, 6), (30, 20, 4)])
        let basins = mask.distanceTransform().watershed(minimumDepth: 2)
        XCTAssertEqual(basins.regionCount, 3)
        XCTAssertEqual(basins.label(x: 45, y: 8), 1)
        XCTAssertEqual(basins.label(x: 30, y: 20), 2)
        XCTAssertEqual(basins.label(x: 10, y: 30), 3)
        XCTAssertEqual(discs([]).distanceTransform().watershed(minimumDepth: 2).regionCount, 0)
    }
}
