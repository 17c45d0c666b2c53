import Foundation

/// The benchmark's summary table in Markdown: images/s of the median run (of the fastest run in
/// parentheses), the ratios of Swift's to the other sides' (same), peak memory and logit differences.
enum ResultTable {
    static func render(_ results: [ModelResult], sideNames: [String]) -> String {
        let swift = ModelComparison.swiftName
        var header = ["model"] + sideNames.map { "\($0) img/s" }
        let others = sideNames.filter { $0 != swift }
        header += others.map { "\(swift)/\($0)" }
        header += sideNames.map { "\($0) peak RSS MB" }
        header.append("max rel. logit diff")
        var rows = [header]
        for result in results {
            var row = [result.architecture.rawValue]
            row += sideNames.map { name in
                result.side(name).map { String(format: "%.2f (%.2f)", $0.imagesPerSecond, $0.bestImagesPerSecond) } ?? "-"
            }
            row += others.map { name in
                guard let mine = result.side(swift), let theirs = result.side(name) else { return "-" }
                return String(format: "%.2fx (%.2fx)", mine.imagesPerSecond / theirs.imagesPerSecond,
                              mine.bestImagesPerSecond / theirs.bestImagesPerSecond)
            }
            row += sideNames.map { name in result.side(name).map { "\($0.peakRSSBytes / 1_048_576)" } ?? "-" }
            row.append(result.logitDifferences.map { "\($0.against) \(String(format: "%.1e", $0.relative))" }
                .joined(separator: "; "))
            rows.append(row)
        }
        let lines = rows.map { "| " + $0.joined(separator: " | ") + " |" }
        let separator = "|" + String(repeating: "---|", count: header.count)
        return ([lines[0], separator] + lines.dropFirst()).joined(separator: "\n")
    }
}
