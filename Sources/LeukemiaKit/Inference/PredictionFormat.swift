import Foundation
import Datasets

/// How `predict` prints predictions: aligned text, CSV with a header row, or JSON.
public enum PredictionFormat: String, CaseIterable, Sendable {
    case text, csv, json

    /// `predictions` in this format; class columns follow `classNames` (the run's class order).
    public func render(_ predictions: [Prediction], classNames names: [String]) -> String {
        switch self {
        case .text:
            return predictions.map { p in
                "\(p.file)\t\(p.predictedClass)\t" + names.map { String(format: "%@=%.4f", $0, p.probabilities[$0] ?? 0) }
                    .joined(separator: " ") + (p.costOptimalClass == p.predictedClass ? "" : "\tcost-optimal=\(p.costOptimalClass)")
                    + (p.outOfDistribution.map { "\t(\($0))" } ?? "")
                    + (p.predictionSet.map { "\tset={\($0.joined(separator: ","))}" } ?? "")
                    + (p.referToPerson == true ? "\trefer to a person" : "")
            }.joined(separator: "\n")
        case .csv:
            let header = (["file", "class", "cost_optimal_class"] + names.map { "p_\($0.lowercased())" }
                          + ["out_of_distribution", "prediction_set", "refer_to_person"]).joined(separator: ",")
            let rows = predictions.map { p in
                ([Self.csvField(p.file), p.predictedClass, p.costOptimalClass]
                    + names.map { String(format: "%.6f", p.probabilities[$0] ?? 0) }
                    + [Self.csvField(p.outOfDistribution ?? ""), Self.csvField(p.predictionSet?.joined(separator: "|") ?? ""),
                       p.referToPerson.map { $0 ? "yes" : "no" } ?? ""])
                    .joined(separator: ",")
            }
            return ([header] + rows).joined(separator: "\n")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return (try? String(decoding: encoder.encode(predictions), as: UTF8.self)) ?? "[]"
        }
    }

    /// A CSV field, quoted (with doubled quotes) when it holds a comma, a quote or a line break.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
