import Foundation
import WeightFiles
import XCTest
@testable import Datasets
@testable import LeukemiaKit

/// A run records the SHA-256 of the files its model is loaded from and refuses to open when one
/// of them is not the file training wrote.
final class RunIntegrityTests: XCTestCase {
    func testAChangedWeightsFileIsRefusedAndTheOriginalOpensAgain() throws {
        let fixture = try CNNTestFixture(self)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 1), run: "run"))
        let run = fixture.run("run")
        let original = try Data(contentsOf: run.weights)
        var tensors = try SafeTensors.read(from: run.weights)
        tensors["classifier.bias"]?.values[0] += 0.5
        try SafeTensors.write(tensors, to: run.weights)
        XCTAssertThrowsError(try TrainedRuns.open(run.url)) { error in
            guard case .changedSinceTraining(let path, _, _)? = error as? RunDirectoryError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, run.weights.path)
        }
        try original.write(to: run.weights)
        XCTAssertNoThrow(try TrainedRuns.open(run.url))
    }

    func testAChangedClassicalModelOrNormalizationIsRefused() throws {
        let fixture = try CNNTestFixture(self)
        let folder = fixture.root.appendingPathComponent("xgboost")
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: .xgboost, dataDirectory: fixture.data, runDirectory: folder,
                                                            seed: 1, split: SplitConfiguration(seed: 3), reusedSplit: nil), log: { _ in })
        let run = RunDirectory(folder)
        for file in [run.model(kind: .xgboost), run.normalization] {
            let original = try Data(contentsOf: file)
            try (String(decoding: original, as: UTF8.self) + " ").write(to: file, atomically: false, encoding: .utf8)
            XCTAssertThrowsError(try TrainedRuns.open(folder), file.lastPathComponent) { error in
                guard case .changedSinceTraining(let path, _, _)? = error as? RunDirectoryError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, file.path)
            }
            try original.write(to: file)
        }
        XCTAssertNoThrow(try TrainedRuns.open(folder))
    }
}
