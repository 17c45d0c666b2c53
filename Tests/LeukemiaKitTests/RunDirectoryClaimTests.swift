import Foundation
import TestSupport
import XCTest
@testable import Datasets
@testable import LeukemiaKit

/// A training writes only into a new or empty folder that it claims, and never into anything a
/// user keeps: a finished run, an interrupted training, the data folder, any non-empty folder.
final class RunDirectoryClaimTests: XCTestCase {
    private func classical(_ fixture: CNNTestFixture, into folder: URL) -> ClassicalTrainingRequest {
        ClassicalTrainingRequest(model: .xgboost, dataDirectory: fixture.data, runDirectory: folder, seed: 1,
                                 split: SplitConfiguration(seed: 3), reusedSplit: nil)
    }

    /// Every file below `folder` with its bytes.
    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                files[url.path] = try Data(contentsOf: url)
            }
        }
        return files
    }

    func testAClassicalTrainingIntoAnInterruptedCNNRunIsRefusedAndTouchesNothing() throws {
        let fixture = try CNNTestFixture(self)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 3), run: "cnn"), control: .init(stopAfterEpoch: 1))
        let interrupted = fixture.run("cnn").url
        let before = try snapshot(interrupted)
        XCTAssertThrowsError(try ClassicalTrainer.train(classical(fixture, into: interrupted), log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("an interrupted training; continue it with --resume"), "\(error)")
        }
        XCTAssertEqual(try snapshot(interrupted), before)
        XCTAssertEqual(try CNNTrainer.resume(interrupted).epochs.count, 3, "the interrupted run still resumes")
    }

    func testTheDataFolderAndAnyNonEmptyFolderAreRefusedAndAnEmptyOneIsTaken() throws {
        let fixture = try CNNTestFixture(self)
        let dataBefore = try snapshot(fixture.data)
        XCTAssertThrowsError(try ClassicalTrainer.train(classical(fixture, into: fixture.data), log: { _ in })) { error in
            guard case .notEmpty(let path, _)? = error as? RunDirectoryError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, fixture.data.path)
        }
        XCTAssertEqual(try snapshot(fixture.data), dataBefore)

        let notes = fixture.root.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: notes.appendingPathComponent("todo.txt"))
        XCTAssertThrowsError(try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 1), run: "notes"))) { error in
            XCTAssertTrue("\(error)".contains("1 entries, e.g. todo.txt"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: notes.path), ["todo.txt"])

        let empty = fixture.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try ClassicalTrainer.train(classical(fixture, into: empty), log: { _ in })
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty.appendingPathComponent("config.json").path))
        XCTAssertThrowsError(try ClassicalTrainer.train(classical(fixture, into: empty), log: { _ in })) { error in
            XCTAssertEqual(error as? RunDirectoryError, .alreadyHoldsRun(empty.path))
        }
    }

    func testOnlyOneTrainingClaimsAFolder() throws {
        let folder = try TemporaryFolder(self).url.appendingPathComponent("run")
        let run = RunDirectory(folder)
        XCTAssertTrue(try run.claimForNewRun(), "created here")
        XCTAssertThrowsError(try RunDirectory(folder).claimForNewRun()) { error in
            guard case .notEmpty(_, let holding)? = error as? RunDirectoryError else { return XCTFail("\(error)") }
            XCTAssertTrue(holding.contains("another training"), holding)
        }
        run.releaseClaim(createdFolder: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
        XCTAssertTrue(try RunDirectory(folder).claimForNewRun(), "free again after the release")
    }
}
