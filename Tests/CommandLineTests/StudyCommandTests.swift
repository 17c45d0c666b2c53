import Foundation
import LeukemiaKit
import ModelZoo
import TestSupport
import XCTest

/// `leukemia study`: every model on one split made once; a killed study continues and ends as an
/// uninterrupted one; a folder made with other settings is refused.
final class StudyCommandTests: XCTestCase {
    private var fixture: SyntheticWorkspace!
    private var workspace: URL { fixture.url }
    private var data: URL { fixture.data }

    override func setUpWithError() throws { fixture = try SyntheticWorkspace(seed: 2) }
    override func tearDownWithError() throws { fixture.remove() }

    private func study(_ name: String, _ extra: [String] = []) throws -> CommandRunner.Outcome {
        try CommandRunner.run(["study", "--models", "xgboost,densenet201,svm", "--epochs", "3", "--seed", "5", "--data", data.path,
                               "--out", workspace.appendingPathComponent(name).path] + fixture.tinyCNN + extra)
    }

    func testEveryModelTrainsOnTheOneSavedSplitAndAKilledStudyEndsAsAnUninterruptedOne() throws {
        let straight = try study("straight")
        XCTAssertEqual(straight.status, 0, straight.standardError)
        XCTAssertTrue(straight.standardOutput.contains("[2/3 densenet201] epoch 3/3"), straight.standardOutput)
        let folder = workspace.appendingPathComponent("straight")
        let shared = try Data(contentsOf: folder.appendingPathComponent("split.json"))
        for run in ["xgboost", "densenet201", "svm"] {
            XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(run).appendingPathComponent("split.json")), shared, run)
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(run)/config.json").path), run)
        }
        let record = try JSONDecoder().decode(StudyRecord.self, from: Data(contentsOf: folder.appendingPathComponent("study.json")))
        XCTAssertEqual(record.runs, ["xgboost", "densenet201", "svm"])
        XCTAssertEqual(record.seed, 5)

        // Killed in the CNN's first epoch (as --stop-after 1 ends it), then the same command again.
        let stopped = try study("resumed", ["--stop-after", "1"])
        XCTAssertEqual(stopped.status, 0, stopped.standardError)
        XCTAssertTrue(stopped.standardOutput.contains("run the same command again"), stopped.standardOutput)
        let resumedFolder = workspace.appendingPathComponent("resumed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumedFolder.appendingPathComponent("svm").path))
        let resumed = try study("resumed")
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("[1/3 xgboost] finished earlier; kept"), resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("resuming after epoch 1"), resumed.standardOutput)
        for run in ["xgboost", "densenet201", "svm"] {
            let a = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("\(run)/metrics.json"))) as? NSDictionary
            let b = try JSONSerialization.jsonObject(with: Data(contentsOf: resumedFolder.appendingPathComponent("\(run)/metrics.json"))) as? NSDictionary
            XCTAssertEqual(a, b, run)
        }
        // The study ends with its comparison; the resumed study's table equals the uninterrupted one's
        // (scores and their intervals; training times differ).
        func table(_ folder: URL) throws -> [NSDictionary] {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("comparison/comparison.json")))
                as? [String: Any])
            return try XCTUnwrap(json["models"] as? [[String: Any]]).map { ["name": $0["name"] ?? "", "metrics": $0["metrics"] ?? "",
                                                                         "intervals": $0["intervals"] ?? ""] as NSDictionary }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("comparison/report.html").path))
        XCTAssertEqual(try table(folder).count, 3)
        XCTAssertEqual(try table(folder), try table(resumedFolder))

        // Another seed in the same folder is refused, naming the difference.
        let other = try study("straight", ["--seed", "6"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.standardError.contains("seed 5 vs 6"), other.standardError)
        let unknown = try CommandRunner.run(["study", "--models", "svm,lasso", "--data", data.path,
                                             "--out", workspace.appendingPathComponent("unknown").path])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.standardError.contains("unknown model 'lasso'"), unknown.standardError)
    }
}
