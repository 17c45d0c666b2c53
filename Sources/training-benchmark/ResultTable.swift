import ModelZoo
import Foundation

/// The benchmark's table in Markdown: images/s of the median round (of the fastest in
/// parentheses), Swift's speed over PyTorch's, each side's peak resident memory, and whether
/// Swift's stays under the 12 GiB budget.
enum ResultTable {
    static let memoryBudgetMebibytes = 12.0 * 1024

    static func render(_ runs: [ModelRuns], batch: Int) -> String {
        var lines = ["| model | batch | Swift img/s | PyTorch img/s | Swift/PyTorch | Swift peak MiB | PyTorch peak MiB | Swift < 12 GiB |",
                     "|---|---|---|---|---|---|---|---|"]
        var failures: [String] = []
        for run in runs {
            let swiftRate = run.swift.imagesPerSecond(batch: batch), torchRate = run.torch?.imagesPerSecond(batch: batch)
            var ratio = "-"
            if let swiftRate, let torchRate,
               let swiftBest = run.swift.bestImagesPerSecond(batch: batch), let torchBest = run.torch?.bestImagesPerSecond(batch: batch) {
                ratio = String(format: "%.2fx (%.2fx)", swiftRate / torchRate, swiftBest / torchBest)
            }
            let underBudget = run.swift.peakMebibytes.map { $0 < memoryBudgetMebibytes ? "yes" : "NO" } ?? "-"
            let cells = [run.model.name, "\(batch)", rate(run.swift, batch), run.torch.map { rate($0, batch) } ?? "-", ratio,
                         mebibytes(run.swift), run.torch.map(mebibytes) ?? "-", underBudget]
            lines.append("| " + cells.joined(separator: " | ") + " |")
            for (side, runs) in [("Swift", run.swift), ("PyTorch", run.torch)] {
                if let failure = runs?.failure { failures.append("\(run.model.name), \(side): \(failure)") }
            }
        }
        return (lines + (failures.isEmpty ? [] : [""] + failures.map { "failed: \($0)" })).joined(separator: "\n")
    }

    private static func rate(_ side: SideRuns, _ batch: Int) -> String {
        guard let median = side.imagesPerSecond(batch: batch), let best = side.bestImagesPerSecond(batch: batch) else {
            return side.failure == nil ? "-" : "failed"
        }
        return String(format: "%.2f (%.2f)", median, best)
    }

    private static func mebibytes(_ side: SideRuns) -> String {
        side.peakMebibytes.map { String(format: "%.0f", $0) } ?? (side.failure == nil ? "-" : "failed")
    }
}
