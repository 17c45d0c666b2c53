import Foundation
import Imaging
import TestSupport
import LeukemiaKit
import XCTest

/// End-to-end: train, evaluate and predict through the `leukemia` executable on synthetic data.
final class ClassicalCommandTests: XCTestCase {
    private static var workspace: URL!
    private static var trainedRun: URL!

    /// One synthetic data set and one trained XGBoost run shared by the tests of this class.
    override class func setUp() {
        super.setUp()
        do {
            workspace = try TemporaryFolder().url
            let data = workspace.appendingPathComponent("data")
            let files = try SyntheticSmears.writeDataset(at: data, perClass: 30, seed: 1)
            // An exact duplicate at a neighbouring number and a truncated JPEG, as in the real data.
            try FileManager.default.copyItem(at: files[3][0], to: data.appendingPathComponent("Pro/Pro-031.jpg"))
            let whole = try Data(contentsOf: files[2][5])
            try whole.prefix(whole.count / 2).write(to: data.appendingPathComponent("Pre/Pre-099.jpg"))
            trainedRun = workspace.appendingPathComponent("run-xgboost")
            let outcome = try CommandRunner.run(["train", "--model", "xgboost", "--data", data.path,
                                                 "--out", trainedRun.path, "--seed", "7"])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
        } catch {
            XCTFail("could not prepare the synthetic workspace: \(error)")
        }
    }

    override class func tearDown() {
        if let workspace { try? FileManager.default.removeItem(at: workspace) }
        super.tearDown()
    }

    private var data: URL { Self.workspace.appendingPathComponent("data") }

    private func metrics(in folder: URL) throws -> [String: Any] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("metrics.json")))
        return try XCTUnwrap(json as? [String: Any])
    }

    func testTrainingWritesACompleteRunThatLearnedTheClasses() throws {
        for file in ["config.json", "split.json", "normalization.json", "model.xgboost.json", "metrics.json", "report.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.trainedRun.appendingPathComponent(file).path), file)
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.trainedRun.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["seed"] as? Int, 7)
        let skipped = try XCTUnwrap(config["skipped_images"] as? [String: String])
        XCTAssertEqual(Array(skipped.keys), ["Pre/Pre-099.jpg"], "the truncated JPEG is skipped and named")
        let accuracy = try XCTUnwrap(metrics(in: Self.trainedRun)["accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 0.9)
    }

    func testEvaluateOnAnUnseenFolderScoresEveryImage() throws {
        let unseen = Self.workspace.appendingPathComponent("unseen")
        try SyntheticSmears.writeDataset(at: unseen, perClass: 10, seed: 99)
        let outcome = try CommandRunner.run(["evaluate", Self.trainedRun.path, "--data", unseen.path])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let m = try metrics(in: Self.trainedRun.appendingPathComponent("evaluations/unseen"))
        let confusion = try XCTUnwrap(m["confusion_matrix"] as? [[Int]])
        XCTAssertEqual(confusion.joined().reduce(0, +), 40)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(m["accuracy"] as? Double), 0.9)
    }

    func testPredictPrintsOneLinePerImageAndFailsForAnUnreadableOne() throws {
        let csv = try CommandRunner.run(["predict", Self.trainedRun.path, data.appendingPathComponent("Benign").path,
                                         "--format", "csv"])
        XCTAssertEqual(csv.status, 0, csv.standardError)
        let lines = csv.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.count, 31, "header + 30 images")
        XCTAssertTrue(lines[0].hasPrefix("file,class,cost_optimal_class,p_benign"))

        let broken = try CommandRunner.run(["predict", Self.trainedRun.path, data.appendingPathComponent("Pre/Pre-099.jpg").path,
                                            data.appendingPathComponent("Pre/Pre-001.jpg").path])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.standardError.contains("Pre-099.jpg"), broken.standardError)
        XCTAssertTrue(broken.standardOutput.contains("Pre-001.jpg"), "the readable image is still predicted")
    }

    func testPredictGivesPredictionSetsAndReferralsFromTheCalibration() throws {
        let outcome = try CommandRunner.run(["predict", Self.trainedRun.path, data.appendingPathComponent("Early").path,
                                             "--format", "csv", "--coverage", "0.95", "--refer-below", "0.999"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let rows = outcome.standardOutput.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(rows[0].suffix(2)), ["prediction_set", "refer_to_person"])
        let probabilityColumns = try XCTUnwrap(rows[0].firstIndex(of: "p_benign"))..<XCTUnwrap(rows[0].firstIndex(of: "out_of_distribution"))
        for row in rows.dropFirst() {
            let set = row[row.count - 2].split(separator: "|").map(String.init)
            XCTAssertTrue(set.contains(row[1]), "the set \(set) holds the most probable class \(row[1])")
            let top = try XCTUnwrap(probabilityColumns.map { Double(row[$0])! }.max())
            XCTAssertEqual(row.last, top < 0.999 ? "yes" : "no", row.joined(separator: ","))
        }
        let raw = try CommandRunner.run(["predict", Self.trainedRun.path, data.appendingPathComponent("Early").path,
                                         "--raw", "--coverage", "0.95"])
        XCTAssertNotEqual(raw.status, 0)
        XCTAssertTrue(raw.standardError.contains("--coverage"), raw.standardError)
        let wrong = try CommandRunner.run(["predict", Self.trainedRun.path, data.path, "--coverage", "95"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.standardError.contains("--coverage must be in (0, 1), got 95"), wrong.standardError)
    }

    func testARunMissingAFileOrFromAnotherVersionIsRefusedByName() throws {
        let copy = Self.workspace.appendingPathComponent("run-copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.trainedRun, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("normalization.json"))
        let incomplete = try CommandRunner.run(["evaluate", copy.path])
        XCTAssertNotEqual(incomplete.status, 0)
        XCTAssertTrue(incomplete.standardError.contains("normalization.json"), incomplete.standardError)

        let configURL = Self.trainedRun.appendingPathComponent("config.json")
        let versioned = Self.workspace.appendingPathComponent("run-old-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.trainedRun, to: versioned)
        let text = try String(contentsOf: configURL, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 99")
        try text.write(to: versioned.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let old = try CommandRunner.run(["predict", versioned.path, data.path])
        XCTAssertNotEqual(old.status, 0)
        XCTAssertTrue(old.standardError.contains("version 99"), old.standardError)
    }

    func testTrainingRefusesToOverwriteARun() throws {
        let outcome = try CommandRunner.run(["train", "--model", "svm", "--data", data.path, "--out", Self.trainedRun.path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains(Self.trainedRun.path), outcome.standardError)
    }

    func testBadDataFoldersAndCostFilesGetOneLineErrorsNamingThem() throws {
        let missing = try CommandRunner.run(["train", "--data", "/nonexistent/smears", "--out", Self.workspace.appendingPathComponent("x").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("/nonexistent/smears"), missing.standardError)

        let odd = Self.workspace.appendingPathComponent("odd-\(UUID().uuidString)")
        try SyntheticSmears.writeDataset(at: odd, perClass: 2, seed: 3)
        try FileManager.default.createDirectory(at: odd.appendingPathComponent("Bengin"), withIntermediateDirectories: true)
        let unknown = try CommandRunner.run(["dataset", "inspect", odd.path])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.standardError.contains("Bengin"), unknown.standardError)

        let empty = Self.workspace.appendingPathComponent("empty-\(UUID().uuidString)")
        try SyntheticSmears.writeDataset(at: empty, perClass: 2, seed: 3)
        try FileManager.default.removeItem(at: empty.appendingPathComponent("Early"))
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("Early"), withIntermediateDirectories: true)
        let emptyOutcome = try CommandRunner.run(["train", "--data", empty.path, "--out", Self.workspace.appendingPathComponent("y").path])
        XCTAssertNotEqual(emptyOutcome.status, 0)
        XCTAssertTrue(emptyOutcome.standardError.contains("Early"), emptyOutcome.standardError)

        for (content, fault) in [("[[0,1],[1,0]]", "2x2"), ("[[0,-1,2,3],[1,0,1,1],[1,1,0,1],[1,1,1,0]]", "-1"), ("not json", "JSON")] {
            let costFile = Self.workspace.appendingPathComponent("cost-\(UUID().uuidString).json")
            try content.write(to: costFile, atomically: true, encoding: .utf8)
            let outcome = try CommandRunner.run(["evaluate", Self.trainedRun.path, "--cost", costFile.path])
            XCTAssertNotEqual(outcome.status, 0)
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(costFile.lastPathComponent), outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(fault), "\(fault) in: \(outcome.standardError)")
        }
    }

    func testPredictReadsAnImageFromStandardInputAsItReadsTheFile() throws {
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: data.appendingPathComponent("Early"),
                                                                             includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }.first)
        let fromFile = try CommandRunner.run(["predict", Self.trainedRun.path, file.path, "--format", "csv"])
        let fromInput = try CommandRunner.run(["predict", Self.trainedRun.path, "-", "--format", "csv"], input: Data(contentsOf: file))
        XCTAssertEqual(fromInput.status, 0, fromInput.standardError)
        let fileRow = try XCTUnwrap(fromFile.standardOutput.split(separator: "\n").last)
        let inputRow = try XCTUnwrap(fromInput.standardOutput.split(separator: "\n").last)
        XCTAssertTrue(inputRow.hasPrefix("-,"), String(inputRow))
        XCTAssertEqual(inputRow.dropFirst(2), fileRow.dropFirst(file.path.count + 1))

        let garbage = try CommandRunner.run(["predict", Self.trainedRun.path, "-"], input: Data("not an image".utf8))
        XCTAssertNotEqual(garbage.status, 0)
        XCTAssertTrue(garbage.standardError.contains("error: -:"), garbage.standardError)
    }

    func testPredictMarksImagesTheRunCannotJudgeAndFailsUnlessAllowed() throws {
        let blank = Self.workspace.appendingPathComponent("blank-\(UUID().uuidString).png")
        try ImageEncoder.png(RGBImage(width: 100, height: 80, pixels: [UInt8](repeating: 250, count: 100 * 80 * 3))).write(to: blank)
        let normal = data.appendingPathComponent("Early/Early-001.jpg")
        let refused = try CommandRunner.run(["predict", Self.trainedRun.path, blank.path, "--format", "csv"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.standardError.contains("1 of 1 images are out of distribution"), refused.standardError)
        let row = try XCTUnwrap(refused.standardOutput.split(separator: "\n").last)
        XCTAssertTrue(row.hasPrefix("\(blank.path),out-of-distribution,out-of-distribution,"), String(row))
        XCTAssertTrue(row.hasSuffix("\"nearly uniform (luminance spread 0.0, below 4.0)\""), String(row))

        let allowed = try CommandRunner.run(["predict", Self.trainedRun.path, blank.path, normal.path, "--allow-ood"])
        XCTAssertEqual(allowed.status, 0, allowed.standardError)
        XCTAssertTrue(allowed.standardError.contains("warning: 1 of 2 images are out of distribution"), allowed.standardError)
        let lines = allowed.standardOutput.split(separator: "\n")
        XCTAssertTrue(lines[0].contains("out-of-distribution") && lines[0].contains("(nearly uniform"), String(lines[0]))
        XCTAssertFalse(lines[1].contains("out-of-distribution"), String(lines[1]))

        // A run without a check (trained before it existed) says so, and `ood fit` adds one.
        let copy = Self.workspace.appendingPathComponent("no-check-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.trainedRun, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("ood.safetensors"))
        let unchecked = try CommandRunner.run(["predict", copy.path, blank.path])
        XCTAssertEqual(unchecked.status, 0, unchecked.standardError)
        XCTAssertTrue(unchecked.standardError.contains("no out-of-distribution check"), unchecked.standardError)
        let fit = try CommandRunner.run(["ood", "fit", copy.path])
        XCTAssertEqual(fit.status, 0, fit.standardError)
        XCTAssertEqual(try CommandRunner.run(["predict", copy.path, blank.path]).status, 1)
    }

    func testBrokenFilesGiveOneLineNamingThePathOnceWithoutLibraryInternals() throws {
        // A copy of the run whose model file was cut short (its recorded hash would refuse it first,
        // so the copy forgets the hashes, as a run of an older version has none).
        let copy = Self.workspace.appendingPathComponent("truncated-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.trainedRun, to: copy)
        let model = copy.appendingPathComponent("model.xgboost.json")
        try Data(contentsOf: model).prefix(100).write(to: model)
        let configuration = copy.appendingPathComponent("config.json")
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configuration)) as? [String: Any])
        object.removeValue(forKey: "file_hashes")
        try JSONSerialization.data(withJSONObject: object).write(to: configuration)
        let folderAsFile = Self.workspace.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folderAsFile, withIntermediateDirectories: true)
        for (arguments, path) in [
            (["evaluate", copy.path], model.path),
            (["evaluate", Self.trainedRun.path, "--cost", folderAsFile.path], folderAsFile.path),
            (["train", "--model", "efficientnet-lite0", "--weights", folderAsFile.path, "--data", data.path,
              "--out", Self.workspace.appendingPathComponent("w-\(UUID().uuidString)").path, "--input-size", "32", "--epochs", "1"],
             folderAsFile.path),
        ] {
            let outcome = try CommandRunner.run(arguments)
            XCTAssertNotEqual(outcome.status, 0)
            let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(message.split(separator: "\n").count, 1, message)
            XCTAssertEqual(message.components(separatedBy: path).count - 1, 1, "the path once: \(message)")
            for leak in ["NSCocoaErrorDomain", "json.cc", ".cc:", "Error Domain"] {
                XCTAssertFalse(message.contains(leak), message)
            }
        }
    }

    func testEveryNumericOptionOutOfRangeIsRefusedBeforeTheOutputFolderExists() throws {
        let cases: [([String], String)] = [
            (["--input-size", "8"], "--input-size"), (["--input-size", "5000"], "--input-size"),
            (["--epochs", "0"], "--epochs"), (["--epochs", "1000000"], "--epochs"),
            (["--batch-size", "0"], "--batch-size"), (["--batch-size", "100000"], "--batch-size"),
            (["--learning-rate", "0"], "--learning-rate"), (["--learning-rate", "5"], "--learning-rate"),
            (["--learning-rate", "nan"], "--learning-rate"),
            (["--rotation", "400"], "--rotation"), (["--rotation=-5"], "--rotation"),
            (["--shift", "2"], "--shift"), (["--shear", "90"], "--shear"), (["--zoom", "1.5"], "--zoom"),
            (["--early-stopping-patience", "0"], "--early-stopping-patience"), (["--plateau-factor", "1"], "--plateau-factor"),
            (["--cached-copies", "500", "--policy", "frozen"], "--cached-copies"), (["--prefetch", "0"], "--prefetch"),
            (["--fractions", "0.8", "0", "0.2"], "validation part would hold no image"),
            (["--fractions", "0.5", "0.5", "0.5"], "fractions"),
        ]
        for (options, named) in cases {
            let out = Self.workspace.appendingPathComponent("refused-\(UUID().uuidString)")
            let outcome = try CommandRunner.run(["train", "--model", "efficientnet-lite0", "--weights", "none",
                                                 "--data", data.path, "--out", out.path] + options)
            XCTAssertNotEqual(outcome.status, 0, "\(options)")
            let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(message.contains(named), "\(options): \(message)")
            XCTAssertEqual(message.split(separator: "\n").count, 1, "\(options): \(message)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(options) created \(out.path)")
        }
        let tta = try CommandRunner.run(["evaluate", Self.trainedRun.path, "--tta", "1000"])
        XCTAssertNotEqual(tta.status, 0)
        XCTAssertTrue(tta.standardError.contains("--tta"), tta.standardError)
    }

    func testVersionNamesTheToolkitAndEveryNativeLibrary() throws {
        let outcome = try CommandRunner.run(["--version"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "leukemia \(ToolkitVersion.current)")
        for library in ["libsvm", "onednn", "xgboost"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix(library + " ") && $0.count > library.count + 1 }, "\(library) in \(lines)")
        }
        // A run records the same libraries.
        let configuration = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.trainedRun.appendingPathComponent("config.json")))
        let recorded = try XCTUnwrap((configuration as? [String: Any])?["libraries"] as? [String: String])
        XCTAssertEqual(Set(recorded.keys), ["libsvm", "onednn", "openmp", "xgboost"])
    }

    func testInspectReportsDuplicatesAndUnreadableImages() throws {
        let outcome = try CommandRunner.run(["dataset", "inspect", data.path])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("Pro/Pro-001.jpg = Pro/Pro-031.jpg"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardOutput.contains("1 unreadable images:"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardOutput.contains("Pre/Pre-099.jpg"), outcome.standardOutput)
    }
}
