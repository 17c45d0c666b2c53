import ArgumentParser
import Foundation
import LeukemiaKit

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a run on its test part, or on every image of another folder (--data).")

    @Argument(help: "Run directory written by `leukemia train`.")
    var runDirectory: String

    @Option(help: "Score every image of this folder of class subfolders instead of the run's test part.")
    var data: String?

    @Option(name: .customLong("report-dir"),
            help: "A new or empty folder for metrics.json and report.md (default: the first free RUN_DIR/evaluations/test-part[-N], or evaluations/NAME[-N] with --data).")
    var reportDirectory: String?

    @OptionGroup var cost: CostOption

    @OptionGroup var testTimeAugmentation: TestTimeAugmentationOption

    @Flag(help: "Score the model's raw probabilities instead of the calibrated ones.")
    var raw = false

    func run() throws {
        try reportingErrors {
            let run = try testTimeAugmentation.openRun(runDirectory)
            let costMatrix = try cost.matrix(for: run.configuration)
            let result: EvaluationResult
            if let data {
                result = try RunEvaluation.evaluateFolder(of: run, dataDirectory: URL(fileURLWithPath: data), cost: costMatrix,
                                                          reportFolder: reportDirectory.map { URL(fileURLWithPath: $0) }, calibrated: !raw)
            } else {
                result = try RunEvaluation.evaluateTestPart(of: run, cost: costMatrix,
                                                            reportFolder: reportDirectory.map { URL(fileURLWithPath: $0) }, calibrated: !raw)
            }
            for (path, reason) in result.skipped.sorted(by: { $0.key < $1.key }) {
                printError("skipped unreadable image \(path): \(reason)")
            }
            if result.seenInTraining > 0 {
                printError("warning: \(result.seenInTraining) of the scored images are identical to images of the run's "
                           + "training or validation part (by SHA-256); their scores are optimistic")
            }
            if !result.outOfDistribution.isEmpty {
                let first = result.outOfDistribution.sorted { $0.key < $1.key }[0]
                printError("warning: \(result.outOfDistribution.count) of the scored images are out of distribution for this run "
                           + "(scored all the same), e.g. \(first.key): \(first.value)")
            }
            if result.calibration == nil, !raw {
                printError("warning: \(runDirectory) has no calibration; probabilities are raw (add it with `leukemia calibrate \(runDirectory)`)")
            }
            print(result.metrics.summaryLine)
            if let before = result.raw {
                print(String(format: "calibration (15-bin ECE, Brier): raw %.4f, %.4f", before.expectedCalibrationError, before.brierScore)
                      + (result.calibrated.map { String(format: "; calibrated %.4f, %.4f (temperature %.3f)", $0.expectedCalibrationError,
                                                        $0.brierScore, result.calibration?.temperature ?? 1) } ?? ""))
            }
            print("wrote \(result.reportFolder.appendingPathComponent("metrics.json").path) and report.md")
        }
    }
}
