import Datasets
import Evaluation
import Foundation
import XCTest
@testable import LeukemiaKit

/// Training calibrates on the validation part; `evaluate` and `predict` apply it (raw on
/// request), and prediction sets and referrals come from it.
final class RunCalibrationTests: XCTestCase {
    /// An XGBoost run on synthetic smears, trained through the same code as `leukemia train`.
    private func trainedRun(_ fixture: CNNTestFixture, name: String = "xgboost") throws -> URL {
        let url = fixture.root.appendingPathComponent(name)
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: .xgboost, dataDirectory: fixture.data, runDirectory: url, seed: 1,
                                                            split: SplitConfiguration(seed: 3), reusedSplit: nil)) { _ in }
        return url
    }

    func testTrainingFitsTheTemperatureOnTheValidationPartAndScoresTheTestPartCalibrated() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        let url = try trainedRun(fixture)
        let run = try TrainedRuns.open(url)
        let calibration = try XCTUnwrap(try RunCalibration.load(from: run.directory))
        // Fitted on exactly the validation part's images, and it lowers their log loss.
        let validation = try SplitManifest.load(from: run.directory.splitManifest).entries.filter { $0.part == .validation }
        XCTAssertEqual(calibration.validationLabels, validation.map { ClassSet.acuteLymphoblasticLeukemia.index(of: $0.label)! })
        XCTAssertLessThanOrEqual(calibration.after.logLoss, calibration.before.logLoss + 1e-12)
        XCTAssertNotEqual(calibration.temperature, 1, accuracy: 1e-3)

        // The training's test scores are the calibrated ones: `evaluate` gives the same, `--raw` others.
        let trained = try ScoredImages.load(from: url)
        let calibrated = try RunEvaluation.evaluateTestPart(of: run, cost: .study)
        let raw = try RunEvaluation.evaluateTestPart(of: run, cost: .study, calibrated: false)
        let evaluated = try ScoredImages.load(from: calibrated.reportFolder), rawScored = try ScoredImages.load(from: raw.reportFolder)
        for (a, b) in zip(trained.probabilities, evaluated.probabilities) {
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-9) }
        }
        XCTAssertEqual(rawScored.probabilities.count, evaluated.probabilities.count)
        for (rawRow, calibratedRow) in zip(rawScored.probabilities, evaluated.probabilities) {
            let expected = calibration.calibrated([rawRow])[0]
            for (x, y) in zip(expected, calibratedRow) { XCTAssertEqual(x, y, accuracy: 1e-9) }
        }
        XCTAssertEqual(calibrated.metrics.accuracy, raw.metrics.accuracy, "temperature scaling keeps the arg-max")
        XCTAssertNotNil(calibrated.calibration)
        XCTAssertNil(raw.calibration)
        XCTAssertNil(raw.calibrated)
    }

    func testPredictionSetsGrowWithTheCoverageAndNeedTheCalibration() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        let url = try trainedRun(fixture)
        let run = try TrainedRuns.open(url)
        let test = try SplitManifest.load(from: run.directory.splitManifest).entries.filter { $0.part == .test }
            .map { fixture.data.appendingPathComponent($0.path) }
        let narrow = try Predictor.predict(run, paths: test, cost: .study, settings: .init(coverage: 0.5, referBelow: 0.9))
        let wide = try Predictor.predict(run, paths: test, cost: .study, settings: .init(coverage: 0.99))
        XCTAssertNotNil(narrow.calibration)
        for (a, b) in zip(narrow.predictions, wide.predictions) {
            let (small, large) = (try XCTUnwrap(a.predictionSet), try XCTUnwrap(b.predictionSet))
            XCTAssertFalse(small.isEmpty)
            XCTAssertTrue(Set(small).isSubset(of: Set(large)), "\(small) ⊄ \(large)")
            XCTAssertEqual(a.referToPerson, (a.probabilities.values.max() ?? 0) < 0.9)
            XCTAssertNil(b.referToPerson)
        }
        XCTAssertThrowsError(try Predictor.predict(run, paths: test, cost: .study, settings: .init(calibrated: false, coverage: 0.9))) {
            XCTAssertEqual($0 as? PredictionError, .needsCalibration(url.path))
        }
        // A run without calibration.json (trained before it) predicts raw, and says so; `calibrate` adds it.
        let calibrationFile = url.appendingPathComponent(RunCalibration.fileName)
        let saved = try Data(contentsOf: calibrationFile)
        try FileManager.default.removeItem(at: calibrationFile)
        let uncalibrated = try Predictor.predict(run, paths: test, cost: .study)
        XCTAssertNil(uncalibrated.calibration)
        XCTAssertThrowsError(try Predictor.predict(run, paths: test, cost: .study, settings: .init(coverage: 0.9)))
        let refitted = try RunCalibration.fit(run)
        XCTAssertEqual(refitted, try JSONDecoder().decode(RunCalibration.self, from: saved))
    }
}
