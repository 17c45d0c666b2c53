import Evaluation
import Foundation

/// The benchmark's summary table in Markdown: images/s of the median run (of the fastest run in
/// parentheses), the ratios of Swift's to the other sides' (same), and of Swift's bf16 to PyTorch's
/// and onnxruntime's (FP32) when measured, peak memory and logit differences.
enum ResultTable {
    static func render(_ results: [ModelResult], sideNames: [String]) -> String {
        let swift = ModelComparison.swiftName
        var header = ["model"] + sideNames.map { "\($0) img/s" }
        let others = sideNames.filter { $0 != swift }
        let ratios = others.map { (swift, $0) } + (sideNames.contains(ModelComparison.bf16Name)
            ? [ModelComparison.torchName, ModelComparison.onnxName].filter(sideNames.contains).map { (ModelComparison.bf16Name, $0) } : [])
        header += ratios.map { "\($0.0)/\($0.1)" }
        header += sideNames.map { "\($0) peak RSS MB" }
        header.append("max rel. logit diff")
        var rows: [[String]] = []
        for result in results {
            var row = [result.network.name]
            row += sideNames.map { name in
                result.side(name).map { String(format: "%.2f (%.2f)", $0.imagesPerSecond, $0.bestImagesPerSecond) } ?? "-"
            }
            row += ratios.map { mineName, name in
                guard let mine = result.side(mineName), let theirs = result.side(name) else { return "-" }
                return String(format: "%.2fx (%.2fx)", mine.imagesPerSecond / theirs.imagesPerSecond,
                              mine.bestImagesPerSecond / theirs.bestImagesPerSecond)
            }
            row += sideNames.map { name in result.side(name).map { "\($0.peakRSSBytes / 1_048_576)" } ?? "-" }
            row.append(result.logitDifferences.map { "\($0.against) \(String(format: "%.1e", $0.relative))" }
                .joined(separator: "; "))
            rows.append(row)
        }
        return ReportTable(header: header, rows: rows).markdownLines.joined(separator: "\n")
    }
}
