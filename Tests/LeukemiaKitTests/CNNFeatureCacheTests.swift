import Foundation
import Datasets
import Imaging
import XCTest
@testable import LeukemiaKit

/// Frozen-backbone features are computed once per (images, backbone) and reused by later runs.
final class CNNFeatureCacheTests: XCTestCase {
    private func trainAndCaptureFeatureLine(_ fixture: CNNTestFixture, _ options: CNNTrainingOptions, run: String) throws -> String {
        var lines: [String] = []
        try CNNTrainer.train(fixture.request(options, run: run), control: .init(log: { lines.append($0) }))
        return try XCTUnwrap(lines.first { $0.hasPrefix("features:") })
    }

    /// The cache's entries: a folder per backbone of per-image files (`name/`), set-level files.
    private func cacheEntries(_ fixture: CNNTestFixture) throws -> [String: Int] {
        var entries: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.featureCache.path) {
            let url = fixture.featureCache.appendingPathComponent(name)
            let files = try? FileManager.default.contentsOfDirectory(atPath: url.path)
            entries[files == nil ? name : name + "/"] = files?.count ?? 1
        }
        return entries
    }

    private func imageCount(_ fixture: CNNTestFixture, run: String, parts: [DatasetPart]) throws -> Int {
        try parts.map { try fixture.files(of: $0, in: fixture.run(run)).count }.reduce(0, +)
    }

    func testASecondRunReusesTheFeaturesAndChangedDataOrWeightsDoNot() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(policy: .frozen, epochs: 2)
        let firstLine = try trainAndCaptureFeatureLine(fixture, options, run: "first")
        let seen = try imageCount(fixture, run: "first", parts: [.train, .validation])
        XCTAssertTrue(firstLine.contains("\(seen) images computed"), firstLine)
        let afterFirst = try cacheEntries(fixture)
        XCTAssertEqual(Array(afterFirst.values), [seen], "one folder of per-image files for the backbone: \(afterFirst)")

        XCTAssertTrue(try trainAndCaptureFeatureLine(fixture, options, run: "second").contains("all reused"))
        XCTAssertEqual(try cacheEntries(fixture), afterFirst)
        XCTAssertEqual(try Data(contentsOf: fixture.run("first").epochLog), try Data(contentsOf: fixture.run("second").epochLog))

        // Other backbone weights (another initialization seed): new features.
        var reseeded = options
        reseeded.seed = 8
        XCTAssertTrue(try trainAndCaptureFeatureLine(fixture, reseeded, run: "third").contains("\(seen) images computed"))
        XCTAssertEqual(try cacheEntries(fixture).count, 2)

        // Augmented copies are a set-level entry, with 1 + N versions of each training image.
        var augmented = options
        augmented.cachedAugmentedCopies = 2
        let line = try trainAndCaptureFeatureLine(fixture, augmented, run: "fourth")
        XCTAssertTrue(line.contains("3 x"), line)
        XCTAssertEqual(try cacheEntries(fixture).count, 3, "validation features are shared with the first run")
    }

    func testAnotherSplitComputesOnlyTheImagesTheCacheHasNotSeen() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(policy: .frozen, epochs: 1)
        _ = try trainAndCaptureFeatureLine(fixture, options, run: "first")
        let firstSeen = Set(try [DatasetPart.train, .validation].flatMap { try fixture.files(of: $0, in: fixture.run("first")) }.map(\.url))
        var lines: [String] = []
        var request = fixture.request(options, run: "other-split")
        request.split = SplitConfiguration(seed: 99)
        try CNNTrainer.train(request, control: .init(log: { lines.append($0) }))
        let line = try XCTUnwrap(lines.first { $0.hasPrefix("features:") })
        let otherSeen = Set(try [DatasetPart.train, .validation].flatMap { try fixture.files(of: $0, in: fixture.run("other-split")) }.map(\.url))
        let unseen = otherSeen.subtracting(firstSeen).count
        XCTAssertGreaterThan(unseen, 0, "the other split trains on some of the first one's test images")
        XCTAssertTrue(line.contains("\(unseen) images computed"), line)
    }

    func testChangedImageContentInvalidatesTheCache() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(policy: .frozen, epochs: 1)
        _ = try trainAndCaptureFeatureLine(fixture, options, run: "first")
        let trainFile = try XCTUnwrap(fixture.files(of: .train, in: fixture.run("first")).first).url
        var image = try ImageDecoder.decode(fileAt: trainFile)
        image.pixels[0] = image.pixels[0] &+ 100
        try ImageEncoder.png(image).write(to: trainFile)
        let line = try trainAndCaptureFeatureLine(fixture, options, run: "second")
        XCTAssertTrue(line.contains("computed"), line)
    }
}
