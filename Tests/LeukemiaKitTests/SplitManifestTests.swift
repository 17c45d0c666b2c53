import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import ToolkitSupport
@testable import Datasets

final class SplitManifestTests: XCTestCase {
    private var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder(self)
        for name in ["Benign", "Early", "Pre", "Pro"] {
            for number in 1...8 { try folder.write("data/\(name)/x-\(number).jpg", "\(name) \(number)") }
        }
    }

    private var dataURL: URL { folder.url.appendingPathComponent("data") }
    private var manifestURL: URL { folder.url.appendingPathComponent("split.json") }

    private func savedSplit() throws -> (DatasetSplit, SplitManifest) {
        let scanned = try ImageFolder.scan(dataURL)
        let split = try DatasetSplit.make(scanned, configuration: SplitConfiguration(seed: 9))
        let manifest = SplitManifest(split: split, classes: scanned.classes)
        try manifest.save(to: manifestURL)
        return (split, manifest)
    }

    func testSaveLoadRoundTripAndResolve() throws {
        let (split, manifest) = try savedSplit()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted(),
                       ["data", "split.json"], "no temporary file left behind")
        let loaded = try SplitManifest.load(from: manifestURL)
        XCTAssertEqual(loaded, manifest)
        XCTAssertEqual(loaded.formatVersion, 1)
        XCTAssertEqual(loaded.counts["train"]?["Pre"], split.count(in: .train, of: 2))
        XCTAssertEqual(loaded.counts.values.flatMap(\.values).reduce(0, +), 32)

        let resolution = try loaded.resolve(against: try ImageFolder.scan(dataURL))
        XCTAssertEqual(resolution.assigned.map(\.image), split.images)
        XCTAssertEqual(resolution.assigned.map(\.part), split.parts)
        XCTAssertTrue(resolution.unassigned.isEmpty)
    }

    func testSnakeCaseKeys() throws {
        _ = try savedSplit()
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["format_version", "configuration", "entries", "counts"])
        let entry = try XCTUnwrap((json["entries"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(entry.keys), ["path", "label", "content_hash", "part"])
        XCTAssertEqual(entry["path"] as? String, "Benign/x-1.jpg")
        XCTAssertEqual(entry["label"] as? String, "Benign")
        XCTAssertEqual(entry["content_hash"] as? String, SHA256.hash(Data("Benign 1".utf8)).hexString)
    }

    func testNewFilesAreReturnedUnassigned() throws {
        _ = try savedSplit()
        try folder.write("data/Early/x-9.jpg", "new")
        let resolution = try SplitManifest.load(from: manifestURL).resolve(against: try ImageFolder.scan(dataURL))
        XCTAssertEqual(resolution.unassigned.map(\.relativePath), ["Early/x-9.jpg"])
        XCTAssertEqual(resolution.assigned.count, 32)
    }

    func testChangedContentIsAnError() throws {
        let (_, manifest) = try savedSplit()
        try folder.write("data/Pro/x-3.jpg", "edited")
        let entry = try XCTUnwrap(manifest.entries.first { $0.path == "Pro/x-3.jpg" })
        let edited = SHA256.hash(Data("edited".utf8)).hexString
        assertThrows(SplitManifestError.hashMismatch(path: "Pro/x-3.jpg", expected: entry.contentHash, found: edited),
                     mentioning: ["Pro/x-3.jpg"]) {
            _ = try manifest.resolve(against: try ImageFolder.scan(dataURL))
        }
    }

    func testMissingFileIsAnError() throws {
        let (_, manifest) = try savedSplit()
        try FileManager.default.removeItem(at: dataURL.appendingPathComponent("Benign/x-2.jpg"))
        assertThrows(SplitManifestError.missingFile(path: "Benign/x-2.jpg", folder: dataURL.path),
                     mentioning: ["Benign/x-2.jpg"]) {
            _ = try manifest.resolve(against: try ImageFolder.scan(dataURL))
        }
    }

    func testOtherFormatVersionIsAnError() throws {
        _ = try savedSplit()
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2")
        try folder.write("split.json", text)
        assertThrows(SplitManifestError.unsupportedVersion(path: manifestURL.path, found: 2, supported: 1),
                     mentioning: [manifestURL.path, "version 2"]) {
            _ = try SplitManifest.load(from: manifestURL)
        }
    }

    func testALabelTheFolderDoesNotGiveIsAnError() throws {
        _ = try savedSplit()
        // Rename the class everywhere (entries and counts): the manifest is consistent, the folder is not.
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
            .replacingOccurrences(of: "\"label\" : \"Pre\"", with: "\"label\" : \"Bengin\"")
            .replacingOccurrences(of: "\"Pre\" :", with: "\"Bengin\" :")
        try folder.write("split.json", text)
        let manifest = try SplitManifest.load(from: manifestURL)
        assertThrows(ClassSetError.classMismatch(path: dataURL.path, missing: ["Bengin"], extra: ["Pre"]),
                     mentioning: ["missing Bengin", "extra Pre"]) {
            _ = try manifest.resolve(against: try ImageFolder.scan(dataURL))
        }
    }

    func testAFileFiledUnderAnotherClassIsAnError() throws {
        _ = try savedSplit()
        try FileManager.default.moveItem(at: dataURL.appendingPathComponent("Pre/x-3.jpg"), to: dataURL.appendingPathComponent("Pro/moved-3.jpg"))
        let text = try String(contentsOf: manifestURL, encoding: .utf8).replacingOccurrences(of: "\"Pre/x-3.jpg\"", with: "\"Pro/moved-3.jpg\"")
        try folder.write("split.json", text)
        assertThrows(SplitManifestError.labelMismatch(path: "Pro/moved-3.jpg", expected: "Pre", found: "Pro"), mentioning: ["Pro/moved-3.jpg"]) {
            _ = try SplitManifest.load(from: manifestURL).resolve(against: try ImageFolder.scan(dataURL))
        }
    }

    func testTamperedCountsAreAnError() throws {
        _ = try savedSplit()
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        json["counts"] = ["train": ["Benign": 99]]
        try JSONSerialization.data(withJSONObject: json).write(to: manifestURL)
        assertThrows(SplitManifestError.invalid(path: manifestURL.path, reason: "counts disagree with the entries")) {
            _ = try SplitManifest.load(from: manifestURL)
        }
    }

    func testInvalidJSONAndMissingFile() throws {
        try folder.write("split.json", "{ not json")
        assertThrows(SplitManifestError.invalid(path: manifestURL.path, reason: "not valid JSON"),
                     mentioning: [manifestURL.path]) {
            _ = try SplitManifest.load(from: manifestURL)
        }
        let missing = folder.url.appendingPathComponent("none.json")
        do {
            _ = try SplitManifest.load(from: missing)
            XCTFail("loading a missing manifest should fail")
        } catch let error as SplitManifestError {
            guard case let .unreadable(path, _) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(path, missing.path)
        }
    }
}
