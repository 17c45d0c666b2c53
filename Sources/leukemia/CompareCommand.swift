import ArgumentParser
import Comparison
import Foundation
import LeukemiaKit

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs on the same test images: one self-contained report.html, and comparison.md, .csv and .json.",
        discussion: """
            Each model is scored once, as `evaluate` scores it, on its test part (the runs must share their test images) \
            or on every image of --data DIR. A cross-validation folder is one model (its folds pooled, mean ± sd over \
            folds); a study folder (study.json) stands for its runs.
            """)

    @Argument(help: "Run directories, cross-validation folders or study folders.")
    var runs: [String]

    @Option(help: "Score every model on every image of this folder of class subfolders instead of its test part.")
    var data: String?

    @Option(name: .long, help: "A new or empty folder for report.html, comparison.md, comparison.csv and comparison.json.")
    var out: String

    @Option(help: "Bootstrap resamples over the images.")
    var resamples: Int = 2000

    @Option(help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 42

    @Option(help: "Coverage of the split-conformal prediction sets shown, in (0, 1).")
    var coverage: Double = 0.95

    @Option(name: .customLong("gallery-limit"), help: "At most this many misclassified images on the page, over all models.")
    var galleryLimit: Int = 200

    @Flag(name: .customLong("no-grad-cam"), help: "No Grad-CAM overlays in the gallery.")
    var noGradCAM = false

    @Option(name: .long, help: ArgumentHelp("Misclassification costs for every model (default: the runs' recorded matrix, which must agree).",
                                            valueName: "FILE"))
    var cost: String?

    @Flag(help: "Compare the models' raw probabilities instead of the calibrated ones.")
    var raw = false

    func run() throws {
        try reportingErrors {
            let commandLine = (["leukemia"] + CommandLine.arguments.dropFirst()).map(Self.quoted).joined(separator: " ")
            let request = ComparisonRequest(
                inputs: runs.map { URL(fileURLWithPath: $0) }, dataDirectory: data.map { URL(fileURLWithPath: $0) },
                output: URL(fileURLWithPath: out), resamples: resamples, seed: seed, coverage: coverage,
                costFile: cost.map { URL(fileURLWithPath: $0) }, raw: raw, galleryLimit: galleryLimit, gradCAM: !noGradCAM,
                commandLine: commandLine)
            let summary = try Comparison.run(request) { print($0) }
            for model in summary.models {
                print(String(format: "%@: accuracy %.4f, total cost %.0f", model.name, model.metrics.accuracy, model.metrics.totalCost)
                      + (model.name == summary.bestModel ? " (best)" : ""))
            }
            for pair in summary.paired {
                print(String(format: "%@ vs %@: McNemar p %.4g, total cost difference %.1f [%.1f, %.1f]", pair.model, pair.best,
                             pair.mcnemar.pValue, pair.totalCostDifference.estimate, pair.totalCostDifference.lower,
                             pair.totalCostDifference.upper))
            }
            print("wrote " + Comparison.fileNames.map { URL(fileURLWithPath: out).appendingPathComponent($0).path }.joined(separator: ", "))
        }
    }

    /// `argument` quoted for a POSIX shell when needed.
    static func quoted(_ argument: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        guard argument.isEmpty || argument.unicodeScalars.contains(where: { !safe.contains($0) }) else { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
