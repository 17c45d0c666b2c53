import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class CellDetectorTests: XCTestCase {
    /// The study's purple range (`Datasets.StudyProtocol.purpleRange`, which Imaging cannot see).
    private let studyPurple = HSVRange(hue: 0.7...0.8, minimumSaturation: 0.5, minimumValue: 0.4)

    func testMagentaStainChannelOfKnownColours() {
        let colors: [(UInt8, UInt8, UInt8)] = [(120, 60, 170), (230, 200, 212), (72, 71, 250), (255, 255, 255), (0, 255, 0)]
        let channel = TestImages.make(width: 5, height: 1) { x, _ in colors[x] }.magentaStain()
        XCTAssertEqual(channel.values[0], 85 / 255, accuracy: 1e-6)  // purple
        XCTAssertEqual(channel.values[1], 21 / 255, accuracy: 1e-6)  // pink background
        XCTAssertEqual(channel.values[2], 90 / 255, accuracy: 1e-6)  // deep blue nucleus
        XCTAssertEqual(Array(channel.values[3...]), [0, 0])  // white; green is clamped at 0
    }

    func testFindsZeroToEightCellsWithTouchingPairsWithinOne() throws {
        for detector in [CellDetector(), CellDetector(stain: .hsvRange(studyPurple))] {
            var exact = 0, scenes = 0
            for cellCount in 0...8 {
                for seed in [1, 2, 3] as [UInt64] {
                    let scene = SyntheticCells.scene(cellCount: cellCount, seed: seed * 100 + UInt64(cellCount))
                    let cells = try detector.detect(in: scene.image)
                    XCTAssertLessThanOrEqual(abs(cells.count - cellCount), 1,
                                             "\(cellCount) cells (\(scene.touchingPairs) pairs), seed \(seed), \(detector.stain)")
                    // No box lies on a red cell or on the background: each centroid is inside a white cell.
                    for cell in cells {
                        XCTAssertTrue(scene.centres.contains { hypot($0.x - cell.centroidX, $0.y - cell.centroidY) < 12 },
                                      "a cell at (\(cell.centroidX), \(cell.centroidY)) with no disc there")
                    }
                    exact += cells.count == cellCount ? 1 : 0
                    scenes += 1
                }
            }
            XCTAssertEqual(exact, scenes, "with \(detector.stain), the count is exact on every synthetic smear")
        }
    }

    func testATouchingPairIsSplitIntoTwoCells() throws {
        let scene = SyntheticCells.scene(cellCount: 2, seed: 7)
        XCTAssertEqual(scene.touchingPairs, 1)
        let cells = try CellDetector().detect(in: scene.image)
        XCTAssertEqual(cells.count, 2)
        for centre in scene.centres {
            let nearest = try XCTUnwrap(cells.min { hypot($0.centroidX - centre.x, $0.centroidY - centre.y)
                < hypot($1.centroidX - centre.x, $1.centroidY - centre.y) })
            XCTAssertEqual(nearest.centroidX, centre.x, accuracy: 2)
            XCTAssertEqual(nearest.centroidY, centre.y, accuracy: 2)
            // About half the pair's union each (a disc of radius 12 has 452 pixels, the overlap is small).
            XCTAssertEqual(Double(nearest.area), Double.pi * 144, accuracy: 60)
        }
    }

    func testAnImageWithoutStainedCellsGivesNoCells() throws {
        let pink = SyntheticCells.background
        let uniform = TestImages.make(width: 224, height: 224) { _, _ in (UInt8(pink.red), UInt8(pink.green), UInt8(pink.blue)) }
        XCTAssertEqual(try CellDetector().detect(in: uniform), [])
        // Red cells only (and noise): Otsu would split them from the background, the minimum threshold refuses.
        XCTAssertEqual(try CellDetector().detect(in: SyntheticCells.scene(cellCount: 0, seed: 5).image), [])
        XCTAssertEqual(try CellDetector().detect(in: try RGBImage(width: 0, height: 0, pixels: [])), [])
    }

    func testBoxesAreasAndCentroidsAreInPixelsOfTheGivenImage() throws {
        let scene = SyntheticCells.scene(cellCount: 3, seed: 11)
        let atWorkingSize = try CellDetector().detect(in: scene.image)
        XCTAssertEqual(atWorkingSize.count, 3)
        // Each cell's box holds exactly its pixels' extent: the centroid lies inside, the area fits.
        for cell in atWorkingSize {
            XCTAssertTrue(Double(cell.box.x) <= cell.centroidX && cell.centroidX <= Double(cell.box.x + cell.box.width - 1))
            XCTAssertTrue(Double(cell.box.y) <= cell.centroidY && cell.centroidY <= Double(cell.box.y + cell.box.height - 1))
            XCTAssertLessThanOrEqual(cell.area, cell.box.width * cell.box.height)
        }
        // The same smear at twice the size, worked on at 224: coordinates double, areas quadruple.
        let doubled = try CellDetector().detect(in: scene.image.resized(width: 448, height: 448))
        XCTAssertEqual(doubled.count, 3)
        for (small, large) in zip(atWorkingSize, doubled) {
            XCTAssertEqual(Double(large.box.x), Double(2 * small.box.x), accuracy: 2)
            XCTAssertEqual(Double(large.box.width), Double(2 * small.box.width), accuracy: 4)
            XCTAssertEqual(large.centroidX, 2 * small.centroidX + 0.5, accuracy: 1)
            XCTAssertEqual(large.centroidY, 2 * small.centroidY + 0.5, accuracy: 1)
            XCTAssertEqual(Double(large.area), 4 * Double(small.area), accuracy: 0.1 * 4 * Double(small.area))
        }
        // Worked on as given (no working size), the large image's cells are 4x as large in pixels:
        // with the areas meant for 224 pixels they are still found when the maximum allows it.
        let asGiven = try CellDetector(workingSize: nil, minimumArea: 320, maximumArea: 24_000)
            .detect(in: scene.image.resized(width: 448, height: 448))
        XCTAssertEqual(asGiven.count, 3)
    }

    func testCellsAreOrderedByTheirFirstPixelAndTheResultIsRepeatable() throws {
        let scene = SyntheticCells.scene(cellCount: 8, seed: 3)
        let cells = try CellDetector().detect(in: scene.image)
        XCTAssertEqual(cells.count, 8)
        XCTAssertEqual(cells.map(\.box.y), cells.map(\.box.y).sorted(), "the first pixel's row is the box's top")
        XCTAssertEqual(try CellDetector().detect(in: scene.image), cells)
    }

    func testSettingsRoundTripThroughJSONAndAreValidatedByName() throws {
        for detector in [CellDetector(), CellDetector(stain: .hsvRange(studyPurple), workingSize: nil, minimumArea: 5)] {
            let data = try JSONEncoder().encode(detector)
            XCTAssertEqual(try JSONDecoder().decode(CellDetector.self, from: data), detector)
        }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(CellDetector())) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["stain", "working_size", "minimum_area", "maximum_area", "clean_up_radius",
                                        "minimum_split_depth"])
        let stain = try XCTUnwrap(json["stain"] as? [String: Any])
        XCTAssertEqual(stain["rule"] as? String, "magenta-otsu")
        XCTAssertEqual(try XCTUnwrap(stain["minimum_threshold"] as? Double), 0.12, accuracy: 1e-6)

        let image = SyntheticCells.scene(cellCount: 1, seed: 1).image
        XCTAssertThrowsError(try CellDetector(minimumArea: 0).detect(in: image)) { error in
            XCTAssertEqual((error as? CellDetectorError)?.setting, "minimum_area")
        }
        XCTAssertThrowsError(try CellDetector(minimumArea: 500, maximumArea: 400).detect(in: image)) { error in
            XCTAssertEqual((error as? CellDetectorError)?.description,
                           "cell detector setting maximum_area: 400 must be at least the minimum area 500")
        }
        XCTAssertThrowsError(try CellDetector(stain: .magentaOtsu(minimumThreshold: 2)).validate())
        XCTAssertThrowsError(try CellDetector(minimumSplitDepth: -1).validate())
    }

    func testDrawBoxesOutlinesEachBoxInItsColourAndClipsAtTheBorder() throws {
        var image = try RGBImage(width: 6, height: 5, pixels: [UInt8](repeating: 0, count: 90))
        let red = RGBColor(red: 255, green: 0, blue: 0), blue = RGBColor(red: 0, green: 0, blue: 255)
        image.drawBoxes([BoundingBox(x: 1, y: 1, width: 4, height: 3), BoundingBox(x: 4, y: -2, width: 5, height: 4)],
                        colors: [red, blue])
        func code(_ x: Int, _ y: Int) -> Character {
            switch image.pixel(x: x, y: y) {
            case (255, 0, 0): return "r"
            case (0, 0, 255): return "b"
            case (0, 0, 0): return "."
            default: return "?"
            }
        }
        let rows = (0..<5).map { y in String((0..<6).map { code($0, y) }) }
        XCTAssertEqual(rows, ["....b.",
                              ".rrrbb",
                              ".r..r.",
                              ".rrrr.",
                              "......"])
        XCTAssertEqual(RGBColor.viridis(0), RGBColor(red: 68, green: 1, blue: 84))
    }
}
