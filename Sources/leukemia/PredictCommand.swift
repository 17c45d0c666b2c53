import ArgumentParser
import Foundation
import LeukemiaKit

struct PredictCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Classify image files or folders with a trained run.")

    @Argument(help: "Run directory written by `leukemia train`.")
    var runDirectory: String

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png).")
    var paths: [String]

    @Option(help: "Output format: text, csv or json.")
    var format: Format = .text

    @OptionGroup var cost: CostOption

    @OptionGroup var testTimeAugmentation: TestTimeAugmentationOption

    func run() throws {
        let outcome = try reportingErrors {
            let run = try testTimeAugmentation.openRun(runDirectory)
            return try Predictor.predict(run, paths: paths.map { URL(fileURLWithPath: $0) }, cost: try cost.matrix())
        }
        print(PredictionFormatter.render(outcome.predictions, as: format))
        for failure in outcome.failures { printError("error: \(failure.file): \(failure.reason)") }
        if !outcome.failures.isEmpty { throw ExitCode.failure }
    }
}

/// Renders predictions as aligned text, CSV or JSON.
enum PredictionFormatter {
    static func render(_ predictions: [Prediction], as format: PredictCommand.Format) -> String {
        let names = LeukemiaClass.allCases.map(\.name)
        switch format {
        case .text:
            return predictions.map { p in
                "\(p.file)\t\(p.predictedClass)\t" + names.map { String(format: "%@=%.4f", $0, p.probabilities[$0] ?? 0) }
                    .joined(separator: " ") + (p.costOptimalClass == p.predictedClass ? "" : "\tcost-optimal=\(p.costOptimalClass)")
            }.joined(separator: "\n")
        case .csv:
            let header = (["file", "class", "cost_optimal_class"] + names.map { "p_\($0.lowercased())" }).joined(separator: ",")
            let rows = predictions.map { p in
                ([csvField(p.file), p.predictedClass, p.costOptimalClass]
                    + names.map { String(format: "%.6f", p.probabilities[$0] ?? 0) }).joined(separator: ",")
            }
            return ([header] + rows).joined(separator: "\n")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return (try? String(decoding: encoder.encode(predictions), as: UTF8.self)) ?? "[]"
        }
    }

    private static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
