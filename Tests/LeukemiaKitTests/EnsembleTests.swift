import Datasets
import Evaluation
import Foundation
import ToolkitSupport
import XCTest
@testable import LeukemiaKit

/// `leukemia ensemble`: the weighted average of its members' calibrated probabilities, weights
/// fitted on the shared validation part, a run that `evaluate` and `predict` open like any other,
/// and refusals naming the member that cannot join.
final class EnsembleTests: XCTestCase {
    /// An XGBoost (or SVM) run on the fixture's synthetic smears, trained as `leukemia train` trains.
    private func trainedRun(_ fixture: CNNTestFixture, name: String, model: ClassicalModelKind = .xgboost, seed: UInt64,
                            splitSeed: UInt64 = 3) throws -> URL {
        let url = fixture.root.appendingPathComponent(name)
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: model, dataDirectory: fixture.data, runDirectory: url, seed: seed,
                                                            split: SplitConfiguration(seed: splitSeed), reusedSplit: nil)) { _ in }
        return url
    }

    /// A copy of the run at `url` named `name` whose `config.json` is changed by `edit`.
    private func editedCopy(of url: URL, name: String, _ edit: (inout RunConfiguration) throws -> Void) throws -> URL {
        let copy = url.deletingLastPathComponent().appendingPathComponent(name)
        try FileManager.default.copyItem(at: url, to: copy)
        let run = RunDirectory(copy)
        var configuration = try run.loadConfiguration()
        try edit(&configuration)
        try run.writeJSON(configuration, to: run.configuration)
        return copy
    }

    private func testFiles(_ fixture: CNNTestFixture, of run: URL) throws -> [URL] {
        try fixture.files(of: .test, in: RunDirectory(run)).map(\.url)
    }

    /// The calibrated probabilities `judgedOutputs` gives for each file (what `predict` and `evaluate` use).
    private func calibrated(_ run: any TrainedImageClassifier, _ files: [URL]) throws -> [[Double]] {
        try run.judgedOutputs(ofEncoded: files.map(EncodedImage.file)).results.map { try $0.get().outputs.probabilities }
    }

    // MARK: - The weight fit

    /// Seeded rows: member A puts 0.85 on the true class, member B is random.
    private func informativeAndNoise(count: Int) -> (a: [[Double]], b: [[Double]], labels: [Int]) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var a: [[Double]] = [], b: [[Double]] = [], labels: [Int] = []
        for index in 0..<count {
            let label = index % 4
            labels.append(label)
            a.append((0..<4).map { $0 == label ? 0.85 : 0.05 })
            let noise = (0..<4).map { _ in 0.05 + uniform() }
            b.append(noise.map { $0 / noise.reduce(0, +) })
        }
        return (a, b, labels)
    }

    func testTheFittedWeightFavoursTheInformativeMemberAndIdenticalMembersGiveValidWeights() throws {
        let (a, b, labels) = informativeAndNoise(count: 200)
        let weights = try EnsembleWeights.fit(probabilities: [a, b], labels: labels)
        XCTAssertGreaterThan(weights[0], 0.9)
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertTrue(weights.allSatisfy { $0 >= 0 })
        // The fit is the minimum: no weight of a fine grid gives a lower validation log loss.
        let fitted = EnsembleWeights.logLoss(weights: weights, probabilities: [a, b], labels: labels)
        for step in 0...100 {
            let w = Double(step) / 100
            XCTAssertLessThanOrEqual(fitted, EnsembleWeights.logLoss(weights: [w, 1 - w], probabilities: [a, b], labels: labels) + 1e-9)
        }
        // The order of members does not matter.
        let swapped = try EnsembleWeights.fit(probabilities: [b, a], labels: labels)
        XCTAssertEqual(swapped[1], weights[0], accuracy: 1e-6)

        // Each member right on some images: the optimum is inside the simplex, and the fit finds it.
        let halves = labels.indices.map { $0 % 10 < 7 ? a[$0] : b[$0] }, others = labels.indices.map { $0 % 10 < 7 ? b[$0] : a[$0] }
        let interior = try EnsembleWeights.fit(probabilities: [halves, others], labels: labels)
        XCTAssertTrue((0.5...0.95).contains(interior[0]), "\(interior)")
        let interiorLoss = EnsembleWeights.logLoss(weights: interior, probabilities: [halves, others], labels: labels)
        for step in 0...100 {
            let w = Double(step) / 100
            XCTAssertLessThanOrEqual(interiorLoss, EnsembleWeights.logLoss(weights: [w, 1 - w], probabilities: [halves, others], labels: labels) + 1e-9)
        }

        // Identical members: the loss is flat, the weights stay a valid (here the uniform) mixture.
        let same = try EnsembleWeights.fit(probabilities: [a, a], labels: labels)
        XCTAssertEqual(same.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(same[0], 0.5, accuracy: 1e-12)
        // M members: two informative copies share what B loses.
        let three = try EnsembleWeights.fit(probabilities: [a, b, a], labels: labels)
        XCTAssertEqual(three.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(three[0] + three[2], 0.9)
        XCTAssertEqual(three[0], three[2], accuracy: 1e-12)
        // Mismatched shapes are refused.
        XCTAssertThrowsError(try EnsembleWeights.fit(probabilities: [a, Array(b.dropLast())], labels: labels))
        XCTAssertThrowsError(try EnsembleWeights.fit(probabilities: [], labels: labels))
    }

    // MARK: - Ensemble runs

    func testAnEnsembleIsTheWeightedAverageOfItsMembersCalibratedProbabilitiesAndOpensLikeAnyRun() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        let first = try trainedRun(fixture, name: "xgboost-1", seed: 1)
        let second = try trainedRun(fixture, name: "xgboost-2", seed: 2)
        let url = fixture.root.appendingPathComponent("ensemble")
        var lines: [String] = []
        let outcome = try EnsembleBuilder.make(EnsembleRequest(members: [first, second], runDirectory: url)) { lines.append($0) }

        // The run: config.json with model "ensemble" and its members, the shared split, its own calibration.
        let opened = try TrainedRuns.open(url)
        let run = try XCTUnwrap(opened as? EnsembleRun)
        let specification = try XCTUnwrap(run.configuration.ensemble)
        XCTAssertEqual(run.configuration.model, "ensemble")
        XCTAssertEqual(specification, outcome.specification)
        XCTAssertEqual(specification.weightsMethod, .fit)
        XCTAssertEqual(specification.members.map(\.run), [first.path, second.path])
        XCTAssertEqual(specification.members[0].configurationSHA256,
                       try SHA256.hash(fileAt: first.appendingPathComponent("config.json")).hexString)
        XCTAssertEqual(specification.weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(try SplitManifest.load(from: run.directory.splitManifest), try SplitManifest.load(from: first.appendingPathComponent("split.json")))
        let ownCalibration = try XCTUnwrap(try RunCalibration.load(from: run.directory))
        XCTAssertEqual(ownCalibration, outcome.calibration)
        // The members' validation log losses and the fitted average's: the fit is no worse than either member alone.
        let average = try XCTUnwrap(specification.validationLogLoss)
        for member in specification.members { XCTAssertLessThanOrEqual(average, try XCTUnwrap(member.validationLogLoss) + 1e-9) }

        // The ensemble's (uncalibrated) probabilities are w·p1 + (1 − w)·p2 of the members' calibrated ones.
        let files = try testFiles(fixture, of: url)
        let members = [try TrainedRuns.open(first), try TrainedRuns.open(second)]
        let (p1, p2) = (try calibrated(members[0], files), try calibrated(members[1], files))
        let w = specification.weights[0]
        XCTAssertGreaterThan(zip(p1, p2).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0, 1e-3,
                             "the members differ, so the average is not trivially either")
        // The recorded weights are the fit on the members' calibrated probabilities of the shared validation part.
        let validation = try fixture.files(of: .validation, in: RunDirectory(url))
        let refitted = try EnsembleWeights.fit(probabilities: try members.map { try calibrated($0, validation.map(\.url)) },
                                               labels: validation.map(\.label))
        for (a, b) in zip(refitted, specification.weights) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        let judged = try run.judgedOutputs(ofEncoded: files.map(EncodedImage.file))
        XCTAssertTrue(judged.hasCheck, "the first member's out-of-distribution check")
        for (index, result) in judged.results.enumerated() {
            let outputs = try result.get()
            let expected = zip(p1[index], p2[index]).map { w * $0 + (1 - w) * $1 }
            for (x, y) in zip(outputs.rawProbabilities, expected) { XCTAssertEqual(x, y, accuracy: 1e-12) }
            for (x, y) in zip(outputs.outputs.probabilities, ownCalibration.calibrated([expected])[0]) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        }

        // `evaluate` scores the test part as the ensemble's own metrics did; `predict` gives prediction sets from its calibration.
        let trained = try ScoredImages.load(from: url)
        let evaluation = try RunEvaluation.evaluateTestPart(of: opened, cost: run.configuration.costMatrix)
        let evaluated = try ScoredImages.load(from: evaluation.reportFolder)
        XCTAssertEqual(trained.paths, evaluated.paths)
        for (a, b) in zip(trained.probabilities, evaluated.probabilities) {
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-9) }
        }
        XCTAssertEqual(evaluation.metrics.accuracy, outcome.metrics.accuracy, accuracy: 1e-12)
        XCTAssertNotNil(evaluation.calibration)
        let prediction = try Predictor.predict(opened, paths: files, cost: run.configuration.costMatrix, settings: .init(coverage: 0.9))
        XCTAssertEqual(prediction.predictions.count, files.count)
        XCTAssertTrue(prediction.predictions.allSatisfy { $0.predictionSet != nil })

        // --weights equal: 0.5 / 0.5.
        let equalURL = fixture.root.appendingPathComponent("ensemble-equal")
        try EnsembleBuilder.make(EnsembleRequest(members: [first, second], runDirectory: equalURL, weighting: .equal)) { _ in }
        let equal = try TrainedRuns.open(equalURL)
        XCTAssertEqual(equal.configuration.ensemble?.weights, [0.5, 0.5])
        let equalRaw = try equal.judgedOutputs(ofEncoded: files.map(EncodedImage.file), calibrated: false).results
        for (index, result) in equalRaw.enumerated() {
            let expected = zip(p1[index], p2[index]).map { 0.5 * $0 + 0.5 * $1 }
            for (x, y) in zip(try result.get().outputs.probabilities, expected) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        }

        // `calibrate` on the ensemble refits the same temperature on the same averaged validation probabilities.
        XCTAssertEqual(try RunCalibration.fit(opened).temperature, ownCalibration.temperature, accuracy: 1e-9)

        // An ensemble is not a member; a member whose config.json changed is refused by the ensemble, naming it.
        XCTAssertThrowsError(try EnsembleBuilder.make(EnsembleRequest(members: [url, first],
                                                                      runDirectory: fixture.root.appendingPathComponent("nested"))) { _ in }) {
            XCTAssertEqual($0 as? EnsembleError, .memberIsEnsemble(url.path))
        }
        let memberRun = RunDirectory(second)
        var changed = try memberRun.loadConfiguration()
        changed.createdAt = "2000-01-01T00:00:00Z"
        try memberRun.writeJSON(changed, to: memberRun.configuration)
        XCTAssertThrowsError(try TrainedRuns.open(url)) { error in
            guard case let .memberChanged(ensemble, member, _, _) = error as? EnsembleError else { return XCTFail("\(error)") }
            XCTAssertEqual(ensemble, url.path)
            XCTAssertEqual(member, second.path)
        }
    }

    func testMembersOfDifferentInputSizesEachDecodeAtTheirOwnSize() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 2), run: "cnn"))
        let cnn = fixture.run("cnn").url
        let xgboost = try trainedRun(fixture, name: "xgboost", seed: 1)
        let url = fixture.root.appendingPathComponent("ensemble")
        try EnsembleBuilder.make(EnsembleRequest(members: [cnn, xgboost], runDirectory: url, weighting: .equal)) { _ in }
        let members = [try TrainedRuns.open(cnn), try TrainedRuns.open(xgboost)]
        XCTAssertEqual(members.map(\.inputSize), [32, StudyProtocol.inputSize])
        let run = try TrainedRuns.open(url)
        XCTAssertEqual(run.inputSize, 32, "the first member's")
        XCTAssertEqual(run.configuration.inputSize, 32)

        // Each member sees the image as in its own predict; the ensemble gives their average and the CNN's features.
        let files = try testFiles(fixture, of: url)
        let (p1, p2) = (try calibrated(members[0], files), try calibrated(members[1], files))
        let cnnFeatures = try members[0].outputs(ofEncoded: files.map(EncodedImage.file)).map { try $0.get().features }
        for (index, result) in try run.judgedOutputs(ofEncoded: files.map(EncodedImage.file), calibrated: false).results.enumerated() {
            let outputs = try result.get().outputs
            let expected = zip(p1[index], p2[index]).map { 0.5 * $0 + 0.5 * $1 }
            for (x, y) in zip(outputs.probabilities, expected) { XCTAssertEqual(x, y, accuracy: 1e-9) }
            XCTAssertEqual(outputs.features, cnnFeatures[index])
        }
        // An image it cannot decode fails for the ensemble without stopping the others.
        let outputs = try run.outputs(ofEncoded: [.bytes(Data("not an image".utf8), name: "broken"), .file(files[0])])
        XCTAssertThrowsError(try outputs[0].get())
        XCTAssertNoThrow(try outputs[1].get())
        // Test-time augmentation goes to the CNN member; an ensemble without one refuses it.
        XCTAssertNoThrow(try TrainedRuns.open(url, testTimeAugmentation: 1))
        let classical = fixture.root.appendingPathComponent("classical")
        try EnsembleBuilder.make(EnsembleRequest(members: [xgboost, try trainedRun(fixture, name: "xgboost-2", seed: 2)],
                                                 runDirectory: classical, weighting: .equal)) { _ in }
        XCTAssertThrowsError(try TrainedRuns.open(classical, testTimeAugmentation: 1)) {
            XCTAssertEqual($0 as? CNNTrainingError, .testTimeAugmentationUnsupported(classical.path))
        }
    }

    func testMembersOfAnotherSplitOrClassSetAreRefusedNamingThem() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        let first = try trainedRun(fixture, name: "split-3", seed: 1)
        let otherSplit = try trainedRun(fixture, name: "split-4", seed: 1, splitSeed: 4)
        let out = fixture.root.appendingPathComponent("ensemble")
        func make(_ members: [URL], weighting: EnsembleWeighting = .fit) throws {
            try EnsembleBuilder.make(EnsembleRequest(members: members, runDirectory: out, weighting: weighting)) { _ in }
        }

        XCTAssertThrowsError(try make([first, otherSplit])) { error in
            guard case let .splitDiffers(member, firstMember, reason) = error as? EnsembleError else { return XCTFail("\(error)") }
            XCTAssertEqual(member, otherSplit.path)
            XCTAssertEqual(firstMember, first.path)
            XCTAssertTrue(reason.contains("other parts"), reason)
            XCTAssertTrue("\(error)".contains(otherSplit.path))
        }
        let reordered = try editedCopy(of: first, name: "reordered") { configuration in
            configuration.dataset = DatasetDescription(classes: try ClassSet(classes: configuration.classes.classes.reversed()),
                                                       cost: configuration.costMatrix.values)
        }
        XCTAssertThrowsError(try make([first, reordered])) { error in
            guard case let .classesDiffer(member, _, reason) = error as? EnsembleError else { return XCTFail("\(error)") }
            XCTAssertEqual(member, reordered.path)
            XCTAssertTrue(reason.contains("Pro, Pre, Early, Benign"), reason)
        }
        let otherCost = try editedCopy(of: first, name: "other-cost") { configuration in
            configuration.cost = .zeroOne(classCount: 4)
        }
        XCTAssertThrowsError(try make([first, otherCost])) {
            XCTAssertEqual($0 as? EnsembleError, .costDiffers(member: otherCost.path, first: first.path))
        }
        XCTAssertThrowsError(try make([first])) { XCTAssertEqual($0 as? EnsembleError, .tooFewMembers(1)) }
        XCTAssertThrowsError(try make([first, first])) { XCTAssertEqual($0 as? EnsembleError, .duplicateMember(first.path)) }
        let missing = fixture.root.appendingPathComponent("no-such-run")
        XCTAssertThrowsError(try make([first, missing])) { XCTAssertEqual($0 as? RunDirectoryError, .missing(missing.path)) }

        // Refits have no validation part: fitted weights are refused, equal ones allowed (without an ensemble calibration).
        let origin = RefitOrigin(selectionRun: "/nowhere", selectionConfigurationSHA256: "0")
        let refitA = try editedCopy(of: first, name: "refit-a") { $0.refit = origin }
        let refitB = try editedCopy(of: first, name: "refit-b") { $0.refit = origin }
        XCTAssertThrowsError(try make([refitA, refitB])) { XCTAssertEqual($0 as? EnsembleError, .refitNeedsEqualWeights(refitA.path)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is written for a refused ensemble")
        let outcome = try EnsembleBuilder.make(EnsembleRequest(members: [refitA, refitB], runDirectory: out, weighting: .equal)) { _ in }
        XCTAssertNil(outcome.calibration)
        XCTAssertEqual(outcome.specification.weights, [0.5, 0.5])
        XCTAssertNil(try RunCalibration.load(from: RunDirectory(out)))
    }
}
