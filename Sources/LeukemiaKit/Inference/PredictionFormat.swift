import Foundation
import Datasets
import Evaluation

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
            // The prediction-set and referral columns appear when they were asked for.
            let hasSets = predictions.contains { $0.predictionSet != nil }, hasReferrals = predictions.contains { $0.referToPerson != nil }
            let header = (["file", "class", "cost_optimal_class"] + names.map { "p_\($0.lowercased())" } + ["out_of_distribution"]
                          + (hasSets ? ["prediction_set"] : []) + (hasReferrals ? ["refer_to_person"] : [])).joined(separator: ",")
            let rows = predictions.map { p in
                ([ReportTable.csvField(p.file), p.predictedClass, p.costOptimalClass]
                    + names.map { String(format: "%.6f", p.probabilities[$0] ?? 0) } + [ReportTable.csvField(p.outOfDistribution ?? "")]
                    + (hasSets ? [ReportTable.csvField(p.predictionSet?.joined(separator: "|") ?? "")] : [])
                    + (hasReferrals ? [p.referToPerson.map { $0 ? "yes" : "no" } ?? ""] : []))
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

}
