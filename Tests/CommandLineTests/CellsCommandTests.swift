import Foundation
import Imaging
import TestSupport
import XCTest

/// End-to-end: `leukemia cells` on synthetic smears (records, overlays, a corrupt file among good
/// ones) and `leukemia dataset inspect --cells` over its records.
final class CellsCommandTests: XCTestCase {
    private var workspace: TemporaryFolder!

    override func setUpWithError() throws {
        workspace = try TemporaryFolder(self)
    }

    /// Writes the synthetic smear of `cellCount` cells at `relativePath` (PNG or JPEG by extension).
    @discardableResult
    private func writeSmear(_ relativePath: String, cellCount: Int, seed: UInt64) throws -> URL {
        let file = workspace.url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let image = SyntheticCells.scene(cellCount: cellCount, seed: seed).image
        try (file.pathExtension == "png" ? ImageEncoder.png(image) : ImageEncoder.jpeg(image, quality: 95)).write(to: file)
        return file
    }

    func testCellsWritesARecordWithTheDetectorsCountAndAnOverlayPerImage() throws {
        let files = [try writeSmear("images/none.png", cellCount: 0, seed: 1), try writeSmear("images/three.png", cellCount: 3, seed: 2),
                     try writeSmear("images/more/five.jpg", cellCount: 5, seed: 3)]
        let outcome = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("out")])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("3 of 3 images done, 0 failed"), outcome.standardOutput)
        for (file, stem) in zip(files, ["none", "three", "five"]) {
            let image = try ImageDecoder.decode(fileAt: file)
            let expected = try CellDetector().detect(in: image)
            XCTAssertTrue(outcome.standardOutput.contains("/\(file.lastPathComponent): \(expected.count) cell"), outcome.standardOutput)
            let record = try workspace.json("out/\(stem).cells.json")
            let cells = try XCTUnwrap(record["cells"] as? [[String: Any]])
            XCTAssertEqual(cells.count, expected.count)
            XCTAssertEqual(record["width"] as? Int, 224)
            XCTAssertEqual(record["height"] as? Int, 224)
            XCTAssertEqual(record["image"] as? String, file.resolvingSymlinksInPath().path)
            XCTAssertEqual(((record["detector"] as? [String: Any])?["stain"] as? [String: Any])?["rule"] as? String, "magenta-otsu")
            for (written, cell) in zip(cells, expected) {
                XCTAssertEqual(written["area"] as? Int, cell.area)
                XCTAssertEqual(written["centroid_x"] as? Double ?? .nan, cell.centroidX, accuracy: 1e-9)
                let box = try XCTUnwrap(written["box"] as? [String: Int])
                XCTAssertEqual(box, ["x": cell.box.x, "y": cell.box.y, "width": cell.box.width, "height": cell.box.height])
            }
            // The overlay is the image with each box's outline in green.
            let overlay = try ImageDecoder.decode(fileAt: workspace.url.appendingPathComponent("out/\(stem).cells.png"))
            XCTAssertEqual([overlay.width, overlay.height], [224, 224])
            for cell in expected {
                XCTAssertTrue(overlay.pixel(x: cell.box.x, y: cell.box.y) == (0, 255, 0))
                XCTAssertTrue(overlay.pixel(x: cell.box.x + cell.box.width - 1, y: cell.box.y + cell.box.height - 1) == (0, 255, 0))
            }
            XCTAssertEqual(expected.isEmpty, overlay == image)
        }

        // The study's HSV rule, recorded as such; an output folder inside the input is not searched.
        let hsv = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("images/hsv"), "--stain", "hsv"])
        XCTAssertEqual(hsv.status, 0, hsv.standardError)
        let again = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("images/hsv"), "--stain", "hsv"])
        XCTAssertTrue(again.standardOutput.contains("3 of 3 images done"), again.standardOutput)
        let stain = try XCTUnwrap((try workspace.json("images/hsv/five.cells.json")["detector"] as? [String: Any])?["stain"] as? [String: Any])
        XCTAssertEqual(stain["rule"] as? String, "hsv-range")
        let range = try XCTUnwrap(stain["hsv_range"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(range["hue"] as? [Double]), [0.7, 0.8])
        XCTAssertEqual(try XCTUnwrap(range["minimum_saturation"] as? Double), 0.5)
        XCTAssertEqual(try XCTUnwrap(range["minimum_value"] as? Double), 0.4, accuracy: 1e-6)
    }

    func testACorruptImageIsNamedAndTheOthersAreStillProcessed() throws {
        try writeSmear("images/a.png", cellCount: 2, seed: 4)
        try workspace.write("images/broken.png", "this is no image")
        try writeSmear("images/c.jpg", cellCount: 4, seed: 5)
        let outcome = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("out")])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains("images/broken.png: not a JPEG or PNG file"),
                      outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("2 of 3 images done, 1 failed"), outcome.standardOutput)
        for name in ["a.cells.json", "a.cells.png", "c.cells.json", "c.cells.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.path("out/\(name)")), name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("out/broken.cells.json")))
        XCTAssertEqual((try workspace.json("out/c.cells.json")["cells"] as? [Any])?.count, 4)
    }

    func testSettingsOutOfRangeAreRefusedByNameBeforeAnythingIsWritten() throws {
        try writeSmear("images/a.png", cellCount: 2, seed: 4)
        for (option, value, setting) in [("--minimum-stain-threshold", "2", "minimum_threshold"), ("--minimum-area", "0", "minimum_area"),
                                         ("--working-size", "3", "working_size")] {
            let outcome = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("out"), option, value])
            XCTAssertNotEqual(outcome.status, 0)
            XCTAssertTrue(outcome.standardError.contains("cell detector setting \(setting): \(value)"), outcome.standardError)
            XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("out")))
        }
        let lower = try CommandRunner.run(["cells", workspace.path("images"), "--out", workspace.path("out"),
                                           "--minimum-stain-threshold", "0.2"])
        XCTAssertEqual(lower.status, 0, lower.standardError)
        let stain = (try workspace.json("out/a.cells.json")["detector"] as? [String: Any])?["stain"] as? [String: Any]
        XCTAssertEqual(try XCTUnwrap(stain?["minimum_threshold"] as? Double), 0.2, accuracy: 1e-6)
    }

    func testDatasetInspectAddsTheCellsPerImageOfEachClass() throws {
        for (index, count) in [1, 2, 3].enumerated() { try writeSmear("data/Benign/b\(index).jpg", cellCount: count, seed: UInt64(10 + index)) }
        for (index, count) in [8, 4, 6, 5].enumerated() { try writeSmear("data/Pro/p\(index).jpg", cellCount: count, seed: UInt64(20 + index)) }
        let cells = try CommandRunner.run(["cells", workspace.path("data"), "--out", workspace.path("records")])
        XCTAssertEqual(cells.status, 0, cells.standardError)
        // A record of an image outside the folder is counted apart.
        try writeSmear("elsewhere/x.png", cellCount: 1, seed: 30)
        XCTAssertEqual(try CommandRunner.run(["cells", workspace.path("elsewhere"), "--out", workspace.path("records")]).status, 0)

        let inspect = try CommandRunner.run(["dataset", "inspect", workspace.path("data"), "--cells", workspace.path("records")])
        XCTAssertEqual(inspect.status, 0, inspect.standardError)
        XCTAssertTrue(inspect.standardOutput.contains("7 images in \(workspace.path("data")), 2 classes:"), inspect.standardOutput)
        XCTAssertTrue(inspect.standardOutput.contains("cells per image, from the records in \(workspace.path("records")) (7 images):"),
                      inspect.standardOutput)
        XCTAssertTrue(inspect.standardOutput.contains("  Benign   min 1, median 2, max 3 (3 images)"), inspect.standardOutput)
        XCTAssertTrue(inspect.standardOutput.contains("  Pro      min 4, median 5.5, max 8 (4 images)"), inspect.standardOutput)
        XCTAssertTrue(inspect.standardOutput.contains("1 records are of images not in this folder"), inspect.standardOutput)

        let empty = try CommandRunner.run(["dataset", "inspect", workspace.path("data"), "--cells", workspace.path("data/Pro")])
        XCTAssertNotEqual(empty.status, 0)
        XCTAssertTrue(empty.standardError.contains("holds no cell record (*.cells.json)"), empty.standardError)
    }
}
