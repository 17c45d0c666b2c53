import Foundation
import ToolkitSupport

/// Writes an evaluation's `metrics.json`, `report.md` and, when given, the per-image
/// `predictions.json` into a folder.
package enum EvaluationWriter {
    package static func write(metrics: ClassificationMetrics, title: String, details: [(String, String)],
                              scored: ScoredImages? = nil, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let scored {
            try AtomicFile.write(JSONFormatting.encode(scored), to: folder.appendingPathComponent(ScoredImages.fileName))
        }
        try AtomicFile.write(JSONFormatting.encode(metrics), to: folder.appendingPathComponent("metrics.json"))
        let report = MetricsReport.markdown(title: title, metrics: metrics, details: details)
        try AtomicFile.write(Data(report.utf8), to: folder.appendingPathComponent("report.md"))
    }
}
