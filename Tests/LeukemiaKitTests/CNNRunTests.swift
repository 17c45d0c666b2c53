import Foundation
import Imaging
import XCTest
@testable import LeukemiaKit
@testable import Datasets
@testable import Evaluation

/// Evaluating and predicting with a trained CNN run: test-time augmentation, cost-optimal
/// decisions, and the errors of unusable run directories.
final class CNNRunTests: XCTestCase {
    private var fixture: CNNTestFixture!

    override func setUpWithError() throws {
        fixture = try CNNTestFixture(self)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 2), run: "run"))
    }

    private var runURL: URL { fixture.run("run").url }

    private func testFiles() throws -> [URL] { try fixture.files(of: .test, in: fixture.run("run")).map(\.url) }

    func testProbabilitiesAreDistributionsAndAnIdentityAugmentationChangesNothing() throws {
        let plain = try CNNRun.open(runURL)
        let files = try testFiles()
        let p = try plain.probabilities(forFilesAt: files).map { try $0.get() }
        for row in p { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5) }

        let identity = AugmentationPolicy(rotationDegrees: 0, widthShift: 0, heightShift: 0, shearDegrees: 0,
                                          zoom: 0, horizontalFlip: false)
        let images = DecodedImageSet.load(files.map { LabeledImageFile(path: $0.path, url: $0, label: 0) }, size: 32).images
        let identityTTA = try CNNInference(network: plain.inference.network, options: plain.options, testTimeAugmentation: 3,
                                           viewPolicy: identity).probabilities(of: images)
        for (a, b) in zip(identityTTA.joined(), p.joined()) { XCTAssertEqual(a, b, accuracy: 1e-6) }

        let tta = try CNNRun.open(runURL, testTimeAugmentation: 4)
        let augmented = try tta.probabilities(forFilesAt: files).map { try $0.get() }
        XCTAssertNotEqual(augmented, p, "augmented views change the average")
        XCTAssertEqual(try tta.probabilities(forFilesAt: files).map { try $0.get() }, augmented, "seeded views")
    }

    func testMirrorViewsAverageTheImageAndItsMirrorImage() throws {
        let run = try CNNRun.open(runURL)
        let images = DecodedImageSet.load(try testFiles().map { LabeledImageFile(path: $0.path, url: $0, label: 0) },
                                          size: 32).images
        let mirrors = try images.map { image in
            var pixels = image.pixels
            for y in 0..<image.height {
                for x in 0..<image.width {
                    for c in 0..<3 { pixels[(y * image.width + x) * 3 + c] = image.pixels[(y * image.width + image.width - 1 - x) * 3 + c] }
                }
            }
            return try RGBImage(width: image.width, height: image.height, pixels: pixels)
        }
        let plain = try run.inference.probabilities(of: images)
        let mirrored = try run.inference.probabilities(of: mirrors)
        let averaged = try CNNInference(network: run.inference.network, options: run.options, testTimeAugmentation: 3)
            .probabilities(of: images)
        // Four views: the image itself, then three that are the image or its mirror, so the average
        // is (a · p + (4 − a) · p_mirror) / 4 for some a in 1...4.
        var mixtures: Set<Int> = []
        for ((p, m), r) in zip(zip(plain, mirrored), averaged) {
            let a = (1...4).first { a in (0..<4).allSatisfy { abs((Double(a) * p[$0] + Double(4 - a) * m[$0]) / 4 - r[$0]) < 1e-5 } }
            XCTAssertNotNil(a, "\(r) is no mixture of \(p) and \(m)")
            if let a { mixtures.insert(a) }
        }
        XCTAssertGreaterThan(mixtures.count, 1, "the views differ between images")
    }

    func testOrientationViewsAverageTheEightOrientationsExactly() throws {
        let run = try CNNRun.open(runURL)
        let images = DecodedImageSet.load(try testFiles().map { LabeledImageFile(path: $0.path, url: $0, label: 0) },
                                          size: 32).images
        // Each orientation scored on its own, then averaged by hand.
        let perOrientation = try SquareSymmetry.allCases.map { symmetry in
            try run.inference.probabilities(of: images.map { $0.transformed(by: symmetry) })
        }
        let averaged = try CNNRun.open(runURL, testTimeAugmentation: 7, views: .orientations).inference.probabilities(of: images)
        for (index, row) in averaged.enumerated() {
            for c in row.indices {
                let mean = perOrientation.map { $0[index][c] }.reduce(0, +) / 8
                XCTAssertEqual(row[c], mean, accuracy: 1e-6, "image \(index), class \(c)")
            }
        }
        XCTAssertNotEqual(averaged, perOrientation[0], "the orientations change the probabilities")
        // Three views: the image, its left-right and its top-bottom mirror image.
        let three = try CNNRun.open(runURL, testTimeAugmentation: 2, views: .orientations).inference.probabilities(of: images)
        for (index, row) in three.enumerated() {
            for c in row.indices {
                XCTAssertEqual(row[c], (0..<3).map { perOrientation[$0][index][c] }.reduce(0, +) / 3, accuracy: 1e-6)
            }
        }
        // There are no more than seven other orientations.
        XCTAssertThrowsError(try CNNRun.open(runURL, testTimeAugmentation: 8, views: .orientations)) { error in
            XCTAssertEqual(error as? CNNTrainingError,
                           .invalidOption(name: "tta", value: "8", expected: "0 to 7 views (--tta-views orientations)"))
        }
    }

    func testTheCostOptimalDecisionMinimizesTheExpectedCost() throws {
        let run = try TrainedRuns.open(runURL)
        // Predicting Benign costs nothing whatever the truth: it is always the cost-optimal class.
        let free = try CostMatrix(values: [[0, 1, 1, 1], [0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 0]])
        let outcome = try Predictor.predict(run, paths: [fixture.data], cost: free)
        XCTAssertEqual(outcome.predictions.count, 40)
        // Images the out-of-distribution check flags get no class (its own tests cover it); the others:
        let judged = outcome.predictions.filter { $0.outOfDistribution == nil }
        XCTAssertGreaterThan(judged.count, 20)
        XCTAssertEqual(Set(judged.map(\.costOptimalClass)), ["Benign"])
        for flagged in outcome.flagged { XCTAssertEqual(flagged.costOptimalClass, Prediction.outOfDistributionLabel) }
        // Under the study's costs, the decision is the hand-computed arg-min of expected cost.
        let study = try Predictor.predict(run, paths: [fixture.data], cost: .study)
        let names = ["Benign", "Early", "Pre", "Pro"]
        for prediction in study.predictions where prediction.outOfDistribution == nil {
            let p = names.map { prediction.probabilities[$0]! }
            let expected = (0..<4).map { j in (0..<4).map { i in p[i] * CostMatrix.study.values[i][j] }.reduce(0, +) }
            XCTAssertEqual(prediction.costOptimalClass, names[expected.indices.min { expected[$0] < expected[$1] }!])
            XCTAssertEqual(prediction.predictedClass, names[p.indices.max { p[$0] < p[$1] }!])
        }
    }

    func testEvaluationWithTTAWritesMetricsOfTheTestPart() throws {
        let run = try TrainedRuns.open(runURL, testTimeAugmentation: 2)
        let result = try RunEvaluation.evaluateTestPart(of: run, cost: .study)
        XCTAssertEqual(result.metrics.confusionMatrix.joined().reduce(0, +), try testFiles().count)
        XCTAssertEqual(result.reportFolder.path, runURL.appendingPathComponent("evaluations/test-part").path)
        let written = try JSONDecoder().decode(ClassificationMetrics.self,
                                               from: Data(contentsOf: result.reportFolder.appendingPathComponent("metrics.json")))
        XCTAssertEqual(written, result.metrics)
    }

    func testEvaluationsNeverReplaceTheTrainingMetricsOrEachOther() throws {
        let trainingMetrics = try Data(contentsOf: runURL.appendingPathComponent("metrics.json"))
        let trainingReport = try Data(contentsOf: runURL.appendingPathComponent("report.md"))
        let run = try TrainedRuns.open(runURL)
        let first = try RunEvaluation.evaluateTestPart(of: run, cost: .study)
        let second = try RunEvaluation.evaluateTestPart(of: run, cost: try CostMatrix(values: (0..<4).map { i in
            (0..<4).map { j in i == j ? 0.0 : 1.0 } }))
        XCTAssertEqual(try Data(contentsOf: runURL.appendingPathComponent("metrics.json")), trainingMetrics)
        XCTAssertEqual(try Data(contentsOf: runURL.appendingPathComponent("report.md")), trainingReport)
        XCTAssertEqual(first.reportFolder.lastPathComponent, "test-part")
        XCTAssertEqual(second.reportFolder.lastPathComponent, "test-part-2")
        XCTAssertNotEqual(try Data(contentsOf: first.reportFolder.appendingPathComponent("metrics.json")),
                          try Data(contentsOf: second.reportFolder.appendingPathComponent("metrics.json")), "other costs")

        // A named report folder must be new or empty; a refused one is left as it was.
        let occupied = fixture.root.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: occupied.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try RunEvaluation.evaluateTestPart(of: run, cost: .study, reportFolder: occupied)) { error in
            XCTAssertEqual(error as? InputPathError, .notEmpty(occupied.path))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: occupied.path), ["notes.txt"])
        let empty = fixture.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertEqual(try RunEvaluation.evaluateTestPart(of: run, cost: .study, reportFolder: empty).reportFolder, empty)
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty.appendingPathComponent("metrics.json").path))
    }

    func testEvaluatingAFolderCountsTheImagesTheRunTrainedOrSelectedOn() throws {
        let run = try TrainedRuns.open(runURL)
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let onItsOwnData = try RunEvaluation.evaluateFolder(of: run, dataDirectory: fixture.data, cost: .study)
        let trainedOrSelected = manifest.entries.filter { $0.part != .test }.count
        XCTAssertGreaterThan(trainedOrSelected, 0)
        XCTAssertEqual(onItsOwnData.seenInTraining, trainedOrSelected)

        // A folder of the test part alone holds none of them.
        let testOnly = fixture.root.appendingPathComponent("test-only")
        try SplitExport.export(run: run.directory, part: .test, to: testOnly)
        XCTAssertEqual(try RunEvaluation.evaluateFolder(of: run, dataDirectory: testOnly, cost: .study).seenInTraining, 0)
    }

    func testAnotherFormatVersionIsRefusedWithBothVersions() throws {
        let config = fixture.run("run").configuration
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 99")
        try text.write(to: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainedRuns.open(runURL)) { error in
            XCTAssertEqual(error as? RunDirectoryError, .incompatibleVersion(config.path, found: 99, expected: 1))
        }
    }

    func testMissingWeightsAreNamed() throws {
        try FileManager.default.removeItem(at: fixture.run("run").weights)
        XCTAssertThrowsError(try TrainedRuns.open(runURL)) { error in
            XCTAssertEqual(error as? RunDirectoryError, .incomplete(runURL.path, missingFile: "weights.safetensors"))
        }
    }

    func testTTAOnAClassicalRunIsRefused() throws {
        let config = fixture.run("run").configuration
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "\"model\" : \"densenet201\"", with: "\"model\" : \"svm\"")
        try text.write(to: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainedRuns.open(runURL, testTimeAugmentation: 2)) { error in
            XCTAssertEqual(error as? CNNTrainingError, .testTimeAugmentationUnsupported(runURL.path))
        }
    }
}
