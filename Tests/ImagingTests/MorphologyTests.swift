import XCTest
@testable import Imaging

final class MorphologyTests: XCTestCase {
    /// A mask from rows of "#" (set) and "." (clear).
    private func mask(_ rows: [String]) -> BinaryMask {
        BinaryMask(validatedWidth: rows[0].count, height: rows.count, bits: rows.flatMap { $0.map { $0 == "#" } })
    }

    /// The mask as rows of "#" and ".".
    private func rows(_ mask: BinaryMask) -> [String] {
        (0..<mask.height).map { y in String((0..<mask.width).map { mask.bits[y * mask.width + $0] ? "#" : "." }) }
    }

    func testDiscAndSquareElements() {
        XCTAssertEqual(StructuringElement.disc(radius: 2).rows.map { $0.halfWidth }, [0, 1, 2, 1, 0])
        XCTAssertEqual(StructuringElement.disc(radius: 3).rows.map { $0.halfWidth }, [0, 2, 2, 3, 2, 2, 0])
        XCTAssertEqual(StructuringElement.square(radius: 1).rows.map { $0.halfWidth }, [1, 1, 1])
        XCTAssertEqual(StructuringElement.disc(radius: 0).rows.map { $0.halfWidth }, [0])
    }

    func testDilationAndErosionWithADiscOfRadiusOne() {
        let dot = mask([".....",
                        ".....",
                        "..#..",
                        ".....",
                        "....."])
        XCTAssertEqual(rows(dot.dilated(by: .disc(radius: 1))), [".....",
                                                                 "..#..",
                                                                 ".###.",
                                                                 "..#..",
                                                                 "....."])
        XCTAssertEqual(rows(dot.dilated(by: .square(radius: 1))), [".....",
                                                                   ".###.",
                                                                   ".###.",
                                                                   ".###.",
                                                                   "....."])
        let block = mask([".....",
                          ".###.",
                          ".###.",
                          ".###.",
                          "....."])
        XCTAssertEqual(rows(block.eroded(by: .disc(radius: 1))), [".....",
                                                                  ".....",
                                                                  "..#..",
                                                                  ".....",
                                                                  "....."])
    }

    func testOpeningRemovesSpecksAndBridgesButKeepsWideShapes() {
        let before = mask(["............",
                           ".##.........",
                           ".##.........",
                           "....####....",
                           "....########",
                           "....####....",
                           "............",
                           ".......#....",
                           "............"])
        // The 2x2 speck and the single pixel go; so does the one-pixel-high bridge; the 3x4 block stays.
        XCTAssertEqual(rows(before.opened(by: .square(radius: 1))), ["............",
                                                                     "............",
                                                                     "............",
                                                                     "....####....",
                                                                     "....####....",
                                                                     "....####....",
                                                                     "............",
                                                                     "............",
                                                                     "............"])
    }

    func testClosingFillsNarrowGapsAndNeverRemovesPixels() {
        let before = mask(["..........",
                           ".###.###..",
                           ".###.###..",
                           ".###.###..",
                           ".........."])
        let closed = before.closed(by: .square(radius: 1))
        XCTAssertEqual(rows(closed), ["..........",
                                      ".#######..",
                                      ".#######..",
                                      ".#######..",
                                      ".........."])
        XCTAssertTrue(zip(before.bits, closed.bits).allSatisfy { !$0 || $1 })
        // Nothing grows between a region and the border.
        let nearBorder = mask(["......",
                               ".##...",
                               ".##...",
                               "......"])
        XCTAssertEqual(nearBorder.closed(by: .disc(radius: 2)), nearBorder)
    }

    func testTheBorderNeitherGrowsNorErodesARegion() {
        let bar = mask(["#####",
                        "#####",
                        ".....",
                        "....."])
        // Outside pixels are ignored: the top row has no clear neighbour above it.
        XCTAssertEqual(rows(bar.eroded(by: .disc(radius: 1))), ["#####",
                                                                ".....",
                                                                ".....",
                                                                "....."])
        XCTAssertEqual(bar.opened(by: .disc(radius: 1)), bar)
        let full = mask(["###", "###"])
        XCTAssertEqual(full.opened(by: .disc(radius: 3)), full)
        XCTAssertEqual(full.closed(by: .disc(radius: 3)), full)
    }

    func testHolesAreFilledUnlessTheyReachTheBorder() {
        let rings = mask(["#####.....",
                          "#...#..#.#",
                          "#.#.#..#.#",
                          "#...#..#.#",
                          "#####..###"])
        // The left ring's inside is a hole (its centre pixel is set already); the right shape is
        // open at the top border.
        XCTAssertEqual(rows(rings.holesFilled()), ["#####.....",
                                                   "#####..#.#",
                                                   "#####..#.#",
                                                   "#####..#.#",
                                                   "#####..###"])
        // A clear pixel touching the outside only diagonally is a hole (the background is 4-connected).
        let diagonal = mask([".#...",
                             "#.#..",
                             ".#..."])
        XCTAssertEqual(rows(diagonal.holesFilled()), [".#...",
                                                      "###..",
                                                      ".#..."])
        XCTAssertEqual(try BinaryMask(width: 0, height: 0, bits: []).holesFilled().bits, [])
    }
}
