import Datasets
import Evaluation
import Foundation
import ToolkitSupport
import WeightFiles
import XCTest
@testable import LeukemiaKit

/// `train --refit`: the refit trains on exactly train + validation of its selection, with what
/// the selection chose, and scores the selection's untouched test part.
final class RefitTests: XCTestCase {
    /// Paths of `part` in the split at `url`.
    private func paths(_ part: DatasetPart, in url: URL) throws -> Set<String> {
        Set(try SplitManifest.load(from: url).entries.filter { $0.part == part }.map(\.path))
    }

    /// Checks the refit's split against its selection's: train = train ∪ validation, no
    /// validation, the same test part, disjoint from training.
    private func assertRefitSplit(refit: RunDirectory, selection: RunDirectory, file: StaticString = #filePath, line: UInt = #line) throws {
        let selectionTrain = try paths(.train, in: selection.splitManifest)
        let selectionValidation = try paths(.validation, in: selection.splitManifest)
        let selectionTest = try paths(.test, in: selection.splitManifest)
        XCTAssertFalse(selectionValidation.isEmpty, file: file, line: line)
        XCTAssertEqual(try paths(.train, in: refit.splitManifest), selectionTrain.union(selectionValidation), file: file, line: line)
        XCTAssertEqual(try paths(.validation, in: refit.splitManifest), [], file: file, line: line)
        XCTAssertEqual(try paths(.test, in: refit.splitManifest), selectionTest, file: file, line: line)
        XCTAssertTrue(selectionTest.isDisjoint(with: selectionTrain.union(selectionValidation)), file: file, line: line)
        // The refit scores exactly the selection's test images.
        let scored = try ScoredImages.load(from: refit.url)
        XCTAssertEqual(Set(scored.paths.map { ($0 as NSString).lastPathComponent }),
                       Set(selectionTest.map { ($0 as NSString).lastPathComponent }), file: file, line: line)
    }

    func testACNNRefitTrainsOnTrainAndValidationForTheSelectedEpochsAtTheSelectedRates() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(policy: .full, epochs: 6, learningRate: 3e-3)
        options.plateauPatience = 1 // the rate drops after one epoch without improvement, so the schedule varies
        var lines: [String] = []
        let outcome = try Refit.train(fixture.request(options, run: "refit"), control: .init(log: { lines.append($0) }))
        let refit = fixture.run("refit"), selection = RunDirectory(Refit.selectionDirectory(of: refit.url))
        try assertRefitSplit(refit: refit, selection: selection)

        let selectionConfiguration = try selection.loadConfiguration()
        let best = Int(try XCTUnwrap(selectionConfiguration.hyperparameters["best_epoch"]))
        let selectionEpochs = try EpochLog(url: selection.epochLog).read()
        XCTAssertEqual(outcome.epochs.count, best)
        XCTAssertEqual(outcome.epochs.map(\.learningRate), selectionEpochs.prefix(best).map(\.learningRate))
        XCTAssertTrue(outcome.epochs.allSatisfy { $0.validationLoss == nil && $0.validationAccuracy == nil })
        // The refit's data line counts train + validation of the selection, and no validation images.
        let trainCount = try paths(.train, in: refit.splitManifest).count
        XCTAssertTrue(lines.contains { $0.hasPrefix("data: train \(trainCount), validation 0 ") }, lines.joined(separator: "\n"))

        let configuration = try refit.loadConfiguration()
        let origin = try XCTUnwrap(configuration.refit)
        XCTAssertEqual(origin.selectionRun, selection.url.standardizedFileURL.path)
        XCTAssertEqual(origin.selectionConfigurationSHA256, try SHA256.hash(fileAt: selection.configuration).hexString)
        XCTAssertEqual(configuration.cnn, selectionConfiguration.cnn)
        XCTAssertEqual(configuration.hyperparameters["epochs"], Double(best))
        XCTAssertNil(selectionConfiguration.refit)
        // The refit's weights are not the selection's, and both runs load.
        XCTAssertNotEqual(try SafeTensors.read(from: refit.weights), try SafeTensors.read(from: selection.weights))
        XCTAssertNoThrow(try TrainedRuns.open(refit.url))
        XCTAssertNoThrow(try TrainedRuns.open(selection.url))
    }

    func testAKilledRefitContinuesAndEndsAsAnUninterruptedOne() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(CNNTestFixture.tinyVGG, epochs: 3)
        try Refit.train(fixture.request(options, run: "straight"))
        // Stopped in the selection, then in the refit; each re-run of the same command continues.
        let first = try Refit.train(fixture.request(options, run: "stopped"), control: .init(stopAfterEpoch: 1))
        XCTAssertNil(first.testMetrics)
        let second = try Refit.train(fixture.request(options, run: "stopped"), control: .init(stopAfterEpoch: 1))
        let selectionEpochs = try EpochLog(url: RunDirectory(Refit.selectionDirectory(of: fixture.run("straight").url)).epochLog).read()
        if selectionEpochs.filter({ $0.isBest }).last!.epoch > 1 { XCTAssertNil(second.testMetrics) }
        try Refit.train(fixture.request(options, run: "stopped"))
        let (a, b) = (fixture.run("straight"), fixture.run("stopped"))
        XCTAssertEqual(try SafeTensors.read(from: a.weights), try SafeTensors.read(from: b.weights))
        XCTAssertEqual(try Data(contentsOf: a.metrics), try Data(contentsOf: b.metrics))
        XCTAssertThrowsError(try Refit.train(fixture.request(options, run: "stopped"))) { error in
            XCTAssertEqual(error as? CNNTrainingError, .alreadyFinished(b.url.path))
        }
    }

    func testARefitRefusesASelectionTrainedWithOtherOptions() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(policy: .frozen, epochs: 2)
        try CNNTrainer.train(fixture.request(options, run: "other/selection"))
        var changed = options
        changed.learningRate *= 2
        XCTAssertThrowsError(try Refit.train(fixture.request(changed, run: "other"))) { error in
            guard case .selectionDiffers(let path, _)? = error as? RefitError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, fixture.run("other/selection").url.path)
        }
        // A refit is no selection: it has no validation part.
        try Refit.train(fixture.request(options, run: "other"))
        XCTAssertThrowsError(try CNNTrainer.refit(selection: fixture.run("other").url, into: fixture.root.appendingPathComponent("again"))) {
            XCTAssertTrue("\($0)".contains("itself a refit"), "\($0)")
        }
    }

    func testClassicalRefitsReuseTheSelectedHyperparametersOnTrainAndValidation() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        for model in [ClassicalModelKind.xgboost, .svm] {
            let out = fixture.root.appendingPathComponent("\(model.rawValue)-refit")
            try Refit.train(ClassicalTrainingRequest(model: model, dataDirectory: fixture.data, runDirectory: out, seed: 5,
                                                     split: SplitConfiguration(seed: 3), reusedSplit: nil), log: { _ in })
            let refit = RunDirectory(out), selection = RunDirectory(Refit.selectionDirectory(of: out))
            try assertRefitSplit(refit: refit, selection: selection)
            let (refitConfiguration, selectionConfiguration) = (try refit.loadConfiguration(), try selection.loadConfiguration())
            XCTAssertEqual(refitConfiguration.hyperparameters, selectionConfiguration.hyperparameters, model.rawValue)
            XCTAssertEqual(refitConfiguration.refit?.selectionRun, selection.url.standardizedFileURL.path)
            XCTAssertNotEqual(try Data(contentsOf: refit.model(kind: model)), try Data(contentsOf: selection.model(kind: model)),
                              "\(model.rawValue): the refit trained on more images")
            // The refit's standardization is fitted on train + validation: more images than the selection's.
            let trainCount = try paths(.train, in: refit.splitManifest).count
            XCTAssertGreaterThan(trainCount, try paths(.train, in: selection.splitManifest).count)
            XCTAssertNoThrow(try TrainedRuns.open(out))
            // Without a validation part, the refit borrows its selection's temperature, and says so.
            let borrowed = try XCTUnwrap(try RunCalibration.load(from: refit))
            XCTAssertEqual(borrowed.temperature, try XCTUnwrap(try RunCalibration.load(from: selection)).temperature)
            XCTAssertTrue(borrowed.source.contains("selection"), borrowed.source)
        }
    }
}
