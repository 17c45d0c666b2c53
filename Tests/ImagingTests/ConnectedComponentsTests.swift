import XCTest
@testable import Imaging

final class ConnectedComponentsTests: XCTestCase {
    /// A mask from rows of "#" (set) and "." (clear).
    private func mask(_ rows: [String]) -> BinaryMask {
        let bits = rows.flatMap { $0.map { $0 == "#" } }
        return BinaryMask(validatedWidth: rows[0].count, height: rows.count, bits: bits)
    }

    func testFilledSquare() throws {
        let regions = mask([".......",
                            ".#####.",
                            ".#####.",
                            ".#####.",
                            ".#####.",
                            ".#####.",
                            "......."]).connectedComponents()
        XCTAssertEqual(regions.count, 1)
        let square = try XCTUnwrap(regions.first)
        XCTAssertEqual(square.area, 25)
        XCTAssertEqual(square.perimeter, 16, accuracy: 1e-12)  // 4 * (5 - 1)
        XCTAssertEqual(square.circularity, Double.pi / 4, accuracy: 1e-12)  // 4π * 16 / 16²
    }

    func testSinglePixelAndLine() {
        let regions = mask(["#....",
                            ".....",
                            "####."]).connectedComponents()
        XCTAssertEqual(regions, [ImageRegion(area: 1, perimeter: 0, circularity: 0),
                                 ImageRegion(area: 4, perimeter: 6, circularity: 0)])
    }

    func testRingCountsOnlyItsOuterContour() throws {
        let ring = try XCTUnwrap(mask(["#####",
                                       "#...#",
                                       "#...#",
                                       "#...#",
                                       "#####"]).connectedComponents().first)
        XCTAssertEqual(ring.area, 16)
        XCTAssertEqual(ring.perimeter, 16, accuracy: 1e-12)
        XCTAssertEqual(ring.circularity, 4 * Double.pi * 16 / 256, accuracy: 1e-12)
    }

    func testDiamondUsesDiagonalSteps() throws {
        // Outer contour: 8 diagonal steps of √2 around a square of side 2√2 (enclosed area 8).
        let diamond = try XCTUnwrap(mask(["..#..",
                                          ".###.",
                                          "#####",
                                          ".###.",
                                          "..#.."]).connectedComponents().first)
        XCTAssertEqual(diamond.area, 13)
        XCTAssertEqual(diamond.perimeter, 8 * 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(diamond.circularity, 4 * Double.pi * 8 / 128, accuracy: 1e-12)
    }

    func testEightConnectivityJoinsDiagonalNeighboursAndMinimumAreaFilters() {
        let pixels = mask(["#.....#",
                           ".#...#.",
                           "..#....",
                           ".......",
                           "##....."])
        XCTAssertEqual(pixels.connectedComponents().map(\.area), [3, 2, 2])
        XCTAssertEqual(pixels.connectedComponents(minimumArea: 3).map(\.area), [3])
        // A diagonal line of 3 pixels: there and back along two diagonal steps.
        XCTAssertEqual(pixels.connectedComponents()[0].perimeter, 4 * 2.0.squareRoot(), accuracy: 1e-12)
    }

    func testBranchAtTheStartingPixelIsFollowedCompletely() throws {
        // The top-left pixel joins two arms; the contour passes through it twice.
        let vee = try XCTUnwrap(mask(["..#..",
                                      ".#.#.",
                                      "#...#"]).connectedComponents().first)
        XCTAssertEqual(vee.area, 5)
        XCTAssertEqual(vee.perimeter, 8 * 2.0.squareRoot(), accuracy: 1e-12)
    }

    func testDiskIsNearlyCircular() throws {
        let radius = 20.0
        let size = 51
        var bits = [Bool](repeating: false, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                let dx = Double(x - 25), dy = Double(y - 25)
                bits[y * size + x] = dx * dx + dy * dy <= radius * radius
            }
        }
        let disk = try XCTUnwrap(BinaryMask(width: size, height: size, bits: bits).connectedComponents().first)
        XCTAssertEqual(Double(disk.area), Double.pi * radius * radius, accuracy: 0.02 * Double.pi * radius * radius)
        // The contour runs through boundary pixel centres, radius ≈ r - 0.5, ≈5% long (8-connected steps).
        XCTAssertEqual(disk.perimeter, 2 * Double.pi * (radius - 0.5) * 1.055, accuracy: 3)
        XCTAssertEqual(disk.circularity, 0.9, accuracy: 0.05)
    }

    func testEmptyMaskHasNoRegions() throws {
        XCTAssertEqual(try BinaryMask(width: 3, height: 3, bits: [Bool](repeating: false, count: 9))
            .connectedComponents(), [])
        XCTAssertEqual(try BinaryMask(width: 0, height: 0, bits: []).connectedComponents(), [])
        XCTAssertThrowsError(try BinaryMask(width: 2, height: 2, bits: [true]))
    }
}
