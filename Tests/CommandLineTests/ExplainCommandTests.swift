import Foundation
import LeukemiaKit
import ModelZoo
import TestSupport
import XCTest

/// End-to-end: `leukemia explain` on a tiny CNN run trained through the executable, and its
/// errors for a classical run, an unknown layer and an unknown class.
final class ExplainCommandTests: XCTestCase {
    private static var workspace: URL!

    /// One synthetic data set, one tiny DenseNet run and one XGBoost run shared by the tests.
    override class func setUp() {
        super.setUp()
        do {
            workspace = try TemporaryFolder().url
            let data = workspace.appendingPathComponent("data")
            try SyntheticSmears.writeDataset(at: data, perClass: 8, seed: 4, size: 32)
            let cnn = try CommandRunner.run(["train", "--model", "densenet201", "--epochs", "1", "--data", data.path,
                                             "--out", workspace.appendingPathComponent("cnn").path] + TinyCNN.options(in: workspace))
            XCTAssertEqual(cnn.status, 0, cnn.standardError)
            let classical = try CommandRunner.run(["train", "--model", "xgboost", "--data", data.path,
                                                   "--out", workspace.appendingPathComponent("xgboost").path])
            XCTAssertEqual(classical.status, 0, classical.standardError)
        } catch {
            XCTFail("could not prepare the workspace: \(error)")
        }
    }

    override class func tearDown() {
        if let workspace { try? FileManager.default.removeItem(at: workspace) }
        super.tearDown()
    }

    private func path(_ name: String) -> String { Self.workspace.appendingPathComponent(name).path }

    /// Width and height from a PNG's IHDR chunk (big-endian at bytes 16 and 20).
    private func pngSize(_ file: URL) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: file).prefix(24))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        return [16, 20].map { offset in bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
    }

    /// The header and values of a float32 `.npy` file.
    private func npy(_ file: URL) throws -> (header: String, values: [Float]) {
        let data = try Data(contentsOf: file)
        XCTAssertEqual(Array(data.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let values = data.suffix(from: 10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (header, values)
    }

    func testExplainWritesAnOverlayAndARawMapPerImage() throws {
        let images = ["data/Benign/Benign-001.jpg", "data/Pro/Pro-002.jpg"].map(path)
        let outcome = try CommandRunner.run(["explain", path("cnn")] + images + ["--out", path("explained")])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        for stem in ["Benign-001", "Pro-002"] {
            XCTAssertTrue(outcome.standardOutput.contains("\(stem).jpg: "), outcome.standardOutput)
            let overlay = Self.workspace.appendingPathComponent("explained/\(stem).features.norm5.overlay.png")
            XCTAssertEqual(try pngSize(overlay), [32, 32])
            let (header, values) = try npy(Self.workspace.appendingPathComponent("explained/\(stem).features.norm5.map.npy"))
            XCTAssertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (32, 32)"), header)
            XCTAssertEqual(values.count, 32 * 32)
            XCTAssertTrue(values.allSatisfy { (0...1).contains($0) })
            XCTAssertTrue([0, 1].contains(values.max()), "divided by its maximum")
        }

        // Another class and layer, by name; a folder is searched.
        let chosen = try CommandRunner.run(["explain", path("cnn"), path("data/Early"), "--out", path("early"),
                                            "--class", "pro", "--layer", "features.denseblock1"])
        XCTAssertEqual(chosen.status, 0, chosen.standardError)
        XCTAssertTrue(chosen.standardOutput.contains("Early-001.jpg: Pro (p = "), chosen.standardOutput)
        let written = try FileManager.default.contentsOfDirectory(atPath: path("early"))
        XCTAssertEqual(written.filter { $0.hasSuffix(".features.denseblock1.overlay.png") }.count, 8)
        XCTAssertEqual(written.filter { $0.hasSuffix(".features.denseblock1.map.npy") }.count, 8)
        XCTAssertEqual(written.count, 16)
    }

    func testAClassicalRunAndUnknownLayersOrClassesAreRefusedByName() throws {
        let image = path("data/Pre/Pre-001.jpg")
        let classical = try CommandRunner.run(["explain", path("xgboost"), image, "--out", path("none")])
        XCTAssertNotEqual(classical.status, 0)
        XCTAssertTrue(classical.standardError.contains("'xgboost' run: Grad-CAM needs a CNN"), classical.standardError)

        let layer = try CommandRunner.run(["explain", path("cnn"), image, "--out", path("none"), "--layer", "features.norm6"])
        XCTAssertNotEqual(layer.status, 0)
        XCTAssertTrue(layer.standardError.contains("no layer 'features.norm6'"), layer.standardError)
        XCTAssertTrue(layer.standardError.contains("features.denseblock1, features.denseblock2, features.norm5"),
                      layer.standardError)

        let className = try CommandRunner.run(["explain", path("cnn"), image, "--out", path("none"), "--class", "Blast"])
        XCTAssertNotEqual(className.status, 0)
        XCTAssertTrue(className.standardError.contains("no class 'Blast'"), className.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("none")), "nothing is written")
    }
}
