import Foundation
import Evaluation
import LeukemiaKit
import Reporting

/// The comparison's tables, as HTML (`page`), Markdown (`markdown`) and CSV (`csv`).
struct ComparisonReport {
    var summary: ComparisonSummary
    var models: [ScoredModel]
    var cost: CostMatrix
    var request: ComparisonRequest

    var title: String { "Comparison of \(models.count) model\(models.count == 1 ? "" : "s")" }

    // MARK: Numbers as text

    static func number(_ value: Double?, digits: Int = 4) -> String {
        guard let value, value.isFinite else { return "undefined" }
        return String(format: "%.\(digits)f", value)
    }

    static func digits(for name: String) -> Int {
        switch name {
        case "total_cost": return 1
        case "average_cost": return 3
        default: return 4
        }
    }

    /// "0.9123 [0.8900, 0.9350]".
    static func interval(_ interval: ConfidenceInterval?, digits: Int) -> String {
        guard let interval else { return "undefined" }
        return "\(number(interval.estimate, digits: digits)) [\(number(interval.lower, digits: digits)), \(number(interval.upper, digits: digits))]"
    }

    static func duration(_ seconds: Double) -> String {
        seconds >= 120 ? String(format: "%.1f min", seconds / 60) : String(format: "%.1f s", seconds)
    }

    static func memory(_ model: ModelSummary) -> String {
        model.peakTrainingMemoryMiB.map {
            String(format: "%.0f MiB", $0) + (model.peakTrainingMemory == PeakMemoryProvenance.estimated.rawValue ? " (estimated peak)" : "")
        } ?? "not recorded"
    }

    // MARK: Tables

    static let scoreTitles = ["accuracy": "Accuracy", "macro_f1": "Macro F1", "cohen_kappa": "Cohen's kappa",
                              "macro_roc_auc": "Macro ROC AUC", "total_cost": "Total cost", "average_cost": "Average cost",
                              "cost_sensitive_accuracy": "Cost-sensitive accuracy", "ece": "ECE (15 bins)", "brier": "Brier score"]

    var level: Int { Int((summary.bootstrap.level * 100).rounded()) }

    /// The study's table: every score with its bootstrap interval, times and memory.
    var studyTable: ReportTable {
        let names = ComparisonStatistics.intervalNames
        let header = ["Model"] + names.map { Self.scoreTitles[$0]! } + ["Training time", "Inference (images/s)", "Peak training memory"]
        let rows = summary.models.map { model in
            [model.name + (model.name == summary.bestModel ? " (best)" : "")]
                + names.map { Self.interval(model.intervals[$0], digits: Self.digits(for: $0)) }
                + [Self.duration(model.trainingSeconds), String(format: "%.1f", model.inferenceImagesPerSecond), Self.memory(model)]
        }
        return ReportTable(header: header, rows: rows,
                           caption: "Scores on \(summary.images.count) images with \(level) % bootstrap intervals "
                            + "(\(summary.bootstrap.resamples) resamples, seed \(summary.bootstrap.seed))")
    }

    /// Mean ± sd over folds of the cross-validated models; nil when there are none.
    var foldTable: ReportTable? {
        let names = ["accuracy", "macro_f1", "cohen_kappa", "macro_roc_auc", "total_cost", "average_cost", "cost_sensitive_accuracy"]
        let rows = summary.models.compactMap { model -> [String]? in
            guard let folds = model.folds else { return nil }
            return [model.name, "\(folds.foldCount)"] + names.map { folds.meanAndDeviation($0, digits: Self.digits(for: $0)) ?? "undefined" }
        }
        guard !rows.isEmpty else { return nil }
        return ReportTable(header: ["Model", "Folds"] + names.map { Self.scoreTitles[$0]! }, rows: rows,
                           caption: "Cross-validation: mean ± sample standard deviation over the folds' test parts")
    }

    /// McNemar's test and the paired cost difference of each model against the best.
    var pairedTable: ReportTable {
        ReportTable(header: ["Model", "Against", "Only the model correct", "Only the best correct", "McNemar exact p",
                             "Total cost difference (model − best) [\(level) % CI]", "Real difference?"],
                    rows: summary.paired.map { pair in
                        let difference = pair.totalCostDifference
                        let costDiffers = difference.lower > 0 || difference.upper < 0
                        let verdict = [pair.mcnemar.pValue < 1 - summary.bootstrap.level ? "errors differ" : nil,
                                       costDiffers ? "cost differs" : nil].compactMap { $0 }
                        return [pair.model, pair.best, "\(pair.mcnemar.onlyFirstCorrect)", "\(pair.mcnemar.onlySecondCorrect)",
                                String(format: "%.4g", pair.mcnemar.pValue), Self.interval(difference, digits: 1),
                                verdict.isEmpty ? "no (within noise)" : verdict.joined(separator: ", ")]
                    },
                    caption: "Paired comparisons against the best model (\(summary.bestModel)) on the same images")
    }

    var calibrationTable: ReportTable {
        ReportTable(header: ["Model", "Probabilities", "Temperature", "ECE raw", "Brier raw", "ECE compared", "Brier compared",
                             "Prediction sets: target", "Empirical coverage", "Mean set size"],
                    rows: summary.models.map { model in
                        let calibration = model.calibration, sets = model.predictionSets
                        return [model.name, calibration.probabilities,
                                calibration.temperatures.isEmpty ? "-" : calibration.temperatures.map { String(format: "%.3f", $0) }.joined(separator: ", "),
                                Self.number(calibration.rawECE), Self.number(calibration.rawBrier),
                                Self.number(calibration.ece), Self.number(calibration.brier),
                                sets.map { String(format: "%.0f %%", $0.targetCoverage * 100) } ?? "no calibration",
                                sets.map { Self.number($0.coverage) } ?? "-", sets.map { Self.number($0.meanSetSize, digits: 2) } ?? "-"]
                    },
                    caption: "Calibration (ECE over 15 equal-width bins, Brier) before and after temperature scaling, and "
                        + "split-conformal prediction sets on the compared images")
    }

    /// Operating points of selective classification: decide the most confident images, refer the rest.
    func riskCoverageTable(_ model: ModelSummary) -> ReportTable {
        let points = model.riskCoverage.points
        let rows = [1.0, 0.9, 0.8, 0.7, 0.5].compactMap { target -> [String]? in
            guard let point = points.first(where: { $0.coverage <= target + 1e-12 }) else { return nil }
            return [String(format: "%.0f %%", (1 - point.coverage) * 100), "\(point.decidedCount)", Self.number(point.accuracy),
                    Self.number(point.meanCost, digits: 3), Self.number(point.threshold)]
        }
        return ReportTable(header: ["Referred", "Decided images", "Accuracy of the decided", "Mean cost of the decided",
                                    "Confidence threshold"], rows: rows,
                           caption: "\(model.name): risk–coverage operating points (the least confident images referred to a person)")
    }

    var splitTables: [ReportTable] {
        summary.splits.map { split in
            let classes = summary.images.classNames
            let parts = ["train", "validation", "test"]
            let rows = classes.map { name in
                [name] + parts.map { "\(split.counts[$0]?[name] ?? 0)" } + ["\(parts.reduce(0) { $0 + (split.counts[$1]?[name] ?? 0) })"]
            } + [["Total"] + parts.map { part in "\(split.counts[part]?.values.reduce(0, +) ?? 0)" }
                 + ["\(split.counts.values.reduce(0) { $0 + $1.values.reduce(0, +) })"]]
            let grouping = split.groupRuns.map { "identical files and runs of \($0) consecutive file numbers kept in one part" }
                ?? "identical files kept in one part (no run grouping)"
            let fold = split.fold.map { ", fold \($0) of \(split.foldCount ?? 0) (test part)" } ?? ""
            return ReportTable(header: ["Class", "Train", "Validation", "Test", "Total"], rows: rows,
                               caption: "Split of \(split.runs.joined(separator: ", ")): seed \(split.seed), fractions "
                                + split.fractions.map { String(format: "%.2f", $0) }.joined(separator: " / ") + fold + "; " + grouping)
        }
    }

    var versionTable: ReportTable {
        ReportTable(header: ["Model", "Family", "Run seed", "Split seed", "Toolkit", "Libraries", "Run"],
                    rows: summary.models.map { model in
                        [model.name, model.model, "\(model.seed)", "\(model.splitSeed)", model.toolkitVersion,
                         model.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "), model.path]
                    },
                    caption: "Seeds and versions (this report: leukemia \(summary.toolkitVersion); "
                        + ToolkitVersion.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ") + ")")
    }

    var costTable: ReportTable {
        let names = summary.images.classNames
        return ReportTable(header: ["True \\ Predicted"] + names,
                           rows: zip(names, summary.costMatrix).map { [$0] + $1.map { Self.number($0, digits: 2) } },
                           caption: "Cost of predicting the column class for an image of the row class")
    }

    // MARK: Text

    var imagesSentence: String {
        let images = summary.images
        let source = images.source == "folder" ? "every image of \(images.dataDirectory ?? "the folder") (--data)"
            : "the models' test part (the same images for every model, checked by path and SHA-256)"
        var sentence = "\(models.count) model\(models.count == 1 ? "" : "s") scored once each on \(images.count) images: \(source); "
            + "classes \(images.classNames.joined(separator: ", "))."
        if images.leftOut > 0 { sentence += " \(images.leftOut) images were left out because some model could not read them." }
        return sentence
    }

    var methodSentences: [String] {
        ["Every statistic is computed from the per-image probabilities (calibrated by each run's temperature unless raw were "
            + "asked for; decisions are the most probable class). Scores equal those `leukemia evaluate` prints for each run.",
         "Intervals: percentile bootstrap over the images, \(summary.bootstrap.resamples) resamples, seed \(summary.bootstrap.seed); "
            + "every model is resampled with the same images, so the paired differences are paired.",
         "The best model is the one with \(summary.bestRule): \(summary.bestModel). McNemar's exact test compares which images "
            + "each model gets right; the paired-bootstrap interval of the total-cost difference excluding 0 says the cost "
            + "difference is unlikely to be resampling noise.",
         "Training time is the run's recorded wall clock (summed over folds); inference images/s is the wall clock of scoring "
            + "the compared images here (decoding, resizing and the model, on this machine's shared cores). Peak training memory "
            + "is the peak resident memory each training measured of its own process (Linux VmHWM, reset when the training "
            + "starts; the largest over folds); runs that measured none show the toolkit's estimate for CNNs (marked "
            + "'estimated peak') and 'not recorded' for classical models."]
    }

    var commands: [String] {
        var lines = ["# Train (reconstructed from each run's config.json):"]
        for model in summary.models { lines += ["# \(model.name)", model.trainCommand] }
        lines.append("# Evaluate each run (the numbers of this report):")
        for model in summary.models {
            for run in model.runs {
                var arguments = ["leukemia", "evaluate", run]
                if let data = summary.images.dataDirectory { arguments += ["--data", data] }
                if let cost = request.costFile { arguments += ["--cost", cost.path] }
                if request.raw { arguments.append("--raw") }
                lines.append(arguments.map(TrainCommandLine.quoted).joined(separator: " "))
            }
        }
        lines += ["# This report:", summary.command]
        return lines
    }

    // MARK: Markdown and CSV

    var markdown: String {
        var lines = ["# \(title)", "", imagesSentence, ""] + methodSentences.flatMap { [$0, ""] }
        func add(_ heading: String, _ table: ReportTable) {
            lines += ["## \(heading)", ""] + (table.caption.map { [$0, ""] } ?? []) + table.markdownLines + [""]
        }
        add("Scores", studyTable)
        if let foldTable { add("Cross-validation", foldTable) }
        if !summary.paired.isEmpty { add("Paired comparisons", pairedTable) }
        add("Calibration and prediction sets", calibrationTable)
        for model in summary.models { add("Risk–coverage: \(model.name)", riskCoverageTable(model)) }
        add("Costs", costTable)
        for table in splitTables { add("Split", table) }
        add("Seeds and versions", versionTable)
        lines += ["## How to reproduce", "", "```sh"] + commands + ["```", ""]
        return lines.joined(separator: "\n")
    }

    /// One row per model: every score's estimate and interval bounds as plain numbers, times,
    /// memory, calibration and the paired comparison against the best.
    var csv: String {
        let names = ComparisonStatistics.intervalNames
        let header = ["model", "path", "kind", "images", "best"] + names.flatMap { [$0, "\($0)_lower", "\($0)_upper"] }
            + ["training_seconds", "inference_images_per_second", "peak_training_memory_mib", "peak_training_memory",
               "raw_ece", "raw_brier", "prediction_set_coverage", "mean_set_size",
               "mcnemar_p_vs_best", "total_cost_difference_vs_best", "total_cost_difference_lower", "total_cost_difference_upper"]
        let rows = summary.models.map { model -> [String] in
            let pair = summary.paired.first { $0.model == model.name }
            func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
            return [model.name, model.path, model.kind, "\(model.metrics.sampleCount)", model.name == summary.bestModel ? "yes" : "no"]
                + names.flatMap { name in [text(model.intervals[name]?.estimate), text(model.intervals[name]?.lower),
                                           text(model.intervals[name]?.upper)] }
                + [text(model.trainingSeconds), text(model.inferenceImagesPerSecond), text(model.peakTrainingMemoryMiB),
                   model.peakTrainingMemory, text(model.calibration.rawECE), text(model.calibration.rawBrier),
                   text(model.predictionSets?.coverage), text(model.predictionSets?.meanSetSize),
                   text(pair?.mcnemar.pValue), text(pair?.totalCostDifference.estimate), text(pair?.totalCostDifference.lower),
                   text(pair?.totalCostDifference.upper)]
        }
        return ReportTable(header: header, rows: rows).csv
    }
}
