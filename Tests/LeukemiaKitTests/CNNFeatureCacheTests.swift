import Foundation
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

    private func cacheFiles(_ fixture: CNNTestFixture) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: fixture.featureCache.path))
    }

    func testASecondRunReusesTheFeaturesAndChangedDataOrWeightsDoNot() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(policy: .frozen, epochs: 2)
        XCTAssertTrue(try trainAndCaptureFeatureLine(fixture, options, run: "first").contains("computed"))
        let afterFirst = try cacheFiles(fixture)
        XCTAssertEqual(afterFirst.count, 2, "training and validation features")

        XCTAssertTrue(try trainAndCaptureFeatureLine(fixture, options, run: "second").contains("reused"))
        XCTAssertEqual(try cacheFiles(fixture), afterFirst)
        XCTAssertEqual(try Data(contentsOf: fixture.run("first").epochLog), try Data(contentsOf: fixture.run("second").epochLog))

        // Other backbone weights (another initialization seed): new features.
        var reseeded = options
        reseeded.seed = 8
        XCTAssertTrue(try trainAndCaptureFeatureLine(fixture, reseeded, run: "third").contains("computed"))
        XCTAssertEqual(try cacheFiles(fixture).count, 4)

        // Augmented copies are another cache entry, with 1 + N versions of each training image.
        var augmented = options
        augmented.cachedAugmentedCopies = 2
        let line = try trainAndCaptureFeatureLine(fixture, augmented, run: "fourth")
        XCTAssertTrue(line.contains("computed 3 x"), line)
        XCTAssertEqual(try cacheFiles(fixture).count, 5, "validation features are shared with the first run")
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
