import Evaluation
import Foundation
import ModelZoo

/// The benchmark's table in Markdown, one row per model and precision: images/s of the median
/// round (of the fastest in parentheses), Swift's speed over PyTorch's in the same precision (bf16:
/// PyTorch's autocast) and over PyTorch's FP32 (when measured), each side's peak resident memory,
/// and whether Swift's stays under the 12 GiB budget.
enum ResultTable {
    static let memoryBudgetMebibytes = 12.0 * 1024

    static func render(_ runs: [ModelRuns], batch: Int) -> String {
        let header = ["model", "precision", "batch", "Swift img/s", "PyTorch img/s", "Swift/PyTorch", "Swift/PyTorch FP32",
                      "Swift peak MiB", "PyTorch peak MiB", "Swift < 12 GiB"]
        var rows: [[String]] = []
        var failures: [String] = []
        for run in runs {
            let torchFP32 = runs.first { $0.model.name == run.model.name && $0.precision == .fp32 }?.torch
            let cells = [run.model.name, run.precision == .fp32 ? "FP32" : "bf16 (PyTorch: autocast)", "\(batch)", rate(run.swift, batch),
                         run.torch.map { rate($0, batch) } ?? "-", ratio(run.swift, run.torch, batch), ratio(run.swift, torchFP32, batch),
                         mebibytes(run.swift), run.torch.map(mebibytes) ?? "-",
                         run.swift.peakMebibytes.map { $0 < memoryBudgetMebibytes ? "yes" : "NO" } ?? "-"]
            rows.append(cells)
            for (side, runs) in [("Swift", run.swift), ("PyTorch", run.torch)] {
                if let failure = runs?.failure { failures.append("\(run.model.name), \(side): \(failure)") }
            }
        }
        let lines = ReportTable(header: header, rows: rows).markdownLines
        return (lines + (failures.isEmpty ? [] : [""] + failures.map { "failed: \($0)" })).joined(separator: "\n")
    }

    /// Median over median (fastest over fastest in parentheses), or "-".
    private static func ratio(_ swift: SideRuns, _ torch: SideRuns?, _ batch: Int) -> String {
        guard let swiftRate = swift.imagesPerSecond(batch: batch), let torchRate = torch?.imagesPerSecond(batch: batch),
              let swiftBest = swift.bestImagesPerSecond(batch: batch), let torchBest = torch?.bestImagesPerSecond(batch: batch) else {
            return "-"
        }
        return String(format: "%.2fx (%.2fx)", swiftRate / torchRate, swiftBest / torchBest)
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
