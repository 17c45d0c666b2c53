import Foundation
import Imaging
import Randomness
import TestSupport
import XCTest
@testable import Datasets
@testable import LeukemiaKit
import Evaluation

/// The out-of-distribution check: its arithmetic on hand-made vectors, and on a small trained run
/// the images it must refuse (blank, black, noise, another kind of image) and the ones it must not.
final class OutOfDistributionTests: XCTestCase {
    private let stain = StudyProtocol.purpleRange

    private func outputs(_ vectors: [[Float]], stainFraction: Double = 0.2) -> [ImageOutputs] {
        vectors.map { ImageOutputs(probabilities: [1], features: $0,
                                   quality: ImageQuality(width: 100, height: 100, luminanceSpread: 30, stainFraction: stainFraction)) }
    }

    func testDistanceIsTheMeanCosineDistanceToTheFiveNearestTrainingVectors() throws {
        // Six training vectors at angles 0°, 10°, ..., 50° on the unit circle (lengths vary: they are normalized).
        let angles = (0..<6).map { Double($0) * 10 * .pi / 180 }
        let training = angles.enumerated().map { index, angle in [Float(cos(angle)) * Float(index + 1), Float(sin(angle)) * Float(index + 1)] }
        let check = OutOfDistributionCheck(training: outputs(training), validation: [], stain: stain)
        XCTAssertEqual(check.referenceCount, 6)
        // A query at 0°: the five nearest are 0°...40°; 1 − cos of each, averaged.
        let expected = angles.prefix(5).map { 1 - cos($0) }.reduce(0, +) / 5
        XCTAssertEqual(check.distance(of: [3, 0]), expected, accuracy: 1e-6)
        XCTAssertEqual(check.threshold, .infinity, "no validation part: nothing is flagged by distance")
    }

    func testTheThresholdIsTheValidationQuantileAtTheFalseAlarmRate() throws {
        let training = (0..<10).map { [Float(1), Float($0) * 0.01] }
        // Validation vectors at increasing angles: their distances are increasing too.
        let validation = (0..<101).map { [Float(1), Float($0) * 0.02] }
        let provisional = OutOfDistributionCheck(training: outputs(training), validation: [], stain: stain)
        let distances = validation.map(provisional.distance(of:)).sorted()
        let check = OutOfDistributionCheck(training: outputs(training), validation: validation, falseAlarmRate: 0.05, stain: stain)
        // 101 values: the 0.95 quantile is the 96th smallest (index 95) exactly.
        XCTAssertEqual(check.threshold, distances[95], accuracy: 1e-12)
        XCTAssertEqual(validation.filter { check.distance(of: $0) > check.threshold }.count, 5)
    }

    func testQualityRulesComeFirstAndAreNamed() throws {
        let check = OutOfDistributionCheck(training: outputs([[1, 0], [0.9, 0.1]], stainFraction: 0.1), validation: [[1, 0.05], [1, 0.3]], stain: stain)
        XCTAssertEqual(check.minimumStainFraction, 0.05, accuracy: 1e-12, "half the training images' 1st percentile")
        func verdict(_ width: Int, _ spread: Double, _ stained: Double, _ feature: [Float]) -> OutOfDistributionReason? {
            check.verdict(quality: ImageQuality(width: width, height: 300, luminanceSpread: spread, stainFraction: stained), feature: feature)
        }
        XCTAssertEqual(verdict(20, 0, 0, [0, 1]), .tooSmall(width: 20, height: 300, minimum: 32))
        XCTAssertEqual(verdict(300, 1.5, 0, [0, 1]), .nearlyUniform(spread: 1.5, minimum: 4))
        XCTAssertEqual(verdict(300, 30, 0.01, [1, 0]), .noStain(fraction: 0.01, minimum: 0.05))
        guard case .unfamiliar? = verdict(300, 30, 0.2, [0, 1]) else { return XCTFail("a vector at 90° is unfamiliar") }
        XCTAssertNil(verdict(300, 30, 0.2, [1, 0.02]))
    }

    func testImageQualityMeasuresSpreadAndStain() throws {
        let white = try RGBImage(width: 80, height: 40, pixels: [UInt8](repeating: 255, count: 80 * 40 * 3))
        let quality = ImageQuality(of: white, stain: stain)
        XCTAssertEqual([quality.width, quality.height], [80, 40])
        XCTAssertEqual(quality.luminanceSpread, 0, accuracy: 1e-9)
        XCTAssertEqual(quality.stainFraction, 0)
        // Left half purple (120, 60, 170: inside the study's range), right half white.
        var pixels = [UInt8](repeating: 255, count: 64 * 64 * 3)
        for y in 0..<64 { for x in 0..<32 { pixels.replaceSubrange(((y * 64 + x) * 3)..<((y * 64 + x) * 3 + 3), with: [120, 60, 170]) } }
        let half = ImageQuality(of: try RGBImage(width: 64, height: 64, pixels: pixels), stain: stain)
        XCTAssertEqual(half.stainFraction, 0.5, accuracy: 1e-9)
        let purpleLuminance = 0.299 * 120 + 0.587 * 60 + 0.114 * 170
        XCTAssertEqual(half.luminanceSpread, (255 - purpleLuminance) / 2, accuracy: 1e-6, "two equal halves: half the difference")
    }

    func testASmallRunFlagsBlankBlackNoiseAndForeignImagesButNotItsTestPart() throws {
        let folder = try TemporaryFolder(self)
        let data = folder.url.appendingPathComponent("data")
        try SyntheticSmears.writeDataset(at: data, perClass: 30, seed: 12)
        let runURL = folder.url.appendingPathComponent("run")
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: .xgboost, dataDirectory: data, runDirectory: runURL, seed: 1,
                                                            split: SplitConfiguration(seed: 2), reusedSplit: nil)) { _ in }
        let run = try TrainedRuns.open(runURL)
        XCTAssertNotNil(try OutOfDistributionCheck.load(from: run.directory), "training fits the check")

        var generator = SeededGenerator(seed: 5)
        func image(_ name: String, _ pixel: (Int, Int) -> [UInt8]) throws -> EncodedImage {
            var pixels: [UInt8] = []
            for y in 0..<64 { for x in 0..<64 { pixels += pixel(x, y) } }
            return .bytes(try ImageEncoder.png(RGBImage(width: 64, height: 64, pixels: pixels)), name: name)
        }
        let outliers = [
            try image("blank") { _, _ in [255, 255, 255] },
            try image("black") { _, _ in [0, 0, 0] },
            try image("noise") { _, _ in (0..<3).map { _ in UInt8(truncatingIfNeeded: generator.next()) } },
            // Another kind of image: green and yellow stripes, no stained cell.
            try image("stripes") { x, _ in x % 16 < 8 ? [40, 160, 60] : [230, 220, 40] },
            // Purple disks as in the smears, on a dark blue background they never have.
            try image("dark") { x, y in (x - 32) * (x - 32) + (y - 32) * (y - 32) < 100 ? [120, 60, 170] : [10, 20, 90] },
            .bytes(try ImageEncoder.png(SyntheticSmears.image(classIndex: 1, size: 16, generator: &generator)), name: "tiny"),
        ]
        let flagged = try Predictor.predict(run, images: outliers, cost: .study)
        XCTAssertTrue(flagged.checkedForOutOfDistribution)
        for prediction in flagged.predictions {
            XCTAssertNotNil(prediction.outOfDistribution, "\(prediction.file) should be flagged")
            XCTAssertEqual(prediction.predictedClass, Prediction.outOfDistributionLabel)
        }
        XCTAssertTrue(flagged.predictions[5].outOfDistribution?.hasPrefix("too small") ?? false)

        // The run's own test part: new images of the training distribution, flagged at about the
        // stated false-alarm rate (1 %) — here at most 2 of 20.
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let test = manifest.entries.filter { $0.part == .test }.map { EncodedImage.file(data.appendingPathComponent($0.path)) }
        let normal = try Predictor.predict(run, images: test, cost: .study)
        XCTAssertEqual(normal.predictions.count, 20)
        XCTAssertLessThanOrEqual(normal.flagged.count, 2, "\(normal.flagged.map { "\($0.file): \($0.outOfDistribution!)" })")

        // evaluate scores a flagged image all the same, and marks it in its predictions.json.
        let other = folder.url.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other.appendingPathComponent("Benign"), withIntermediateDirectories: true)
        try ImageEncoder.png(RGBImage(width: 64, height: 64, pixels: [UInt8](repeating: 250, count: 64 * 64 * 3)))
            .write(to: other.appendingPathComponent("Benign/blank.png"))
        try FileManager.default.copyItem(at: data.appendingPathComponent("Benign/Benign-001.jpg"),
                                         to: other.appendingPathComponent("Benign/Benign-001.jpg"))
        let evaluation = try RunEvaluation.evaluateFolder(of: run, dataDirectory: other, cost: .study)
        XCTAssertEqual(Array(evaluation.outOfDistribution.keys), ["Benign/blank.png"])
        let scored = try ScoredImages.load(from: evaluation.reportFolder)
        let index = try XCTUnwrap(scored.paths.firstIndex(of: "Benign/blank.png"))
        XCTAssertTrue(scored.outOfDistribution?[index]?.hasPrefix("nearly uniform") ?? false, "\(String(describing: scored.outOfDistribution))")
        XCTAssertNil(try XCTUnwrap(scored.outOfDistribution)[1 - index], "the smear is judged")
        XCTAssertEqual(evaluation.metrics.sampleCount, 2)
    }

    func testAChangedCheckFileIsRefused() throws {
        let folder = try TemporaryFolder(self)
        let run = RunDirectory(folder.url)
        let check = OutOfDistributionCheck(training: outputs([[1, 0], [0, 1]]), validation: [[1, 1]], stain: stain)
        try check.save(in: run)
        XCTAssertEqual(try OutOfDistributionCheck.load(from: run)?.threshold, check.threshold)
        let file = folder.url.appendingPathComponent(OutOfDistributionCheck.fileName)
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: file)
        XCTAssertThrowsError(try OutOfDistributionCheck.load(from: run)) { error in
            guard case RunDirectoryError.changedSinceTraining(let path, _, _)? = error as? RunDirectoryError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, file.path)
        }
    }
}
