import ArgumentParser
import Comparison
import Foundation
import Datasets
import LeukemiaKit
import ModelZoo

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train several models on one split (or the same folds) and compare them (OUT/comparison/report.html).",
        discussion: """
            Every model is a normal run directory inside --out, trained as `leukemia train` would train it, on the split \
            saved once as OUT/split.json. A killed study continues when the same command runs again: finished runs are \
            kept, an interrupted CNN resumes from its checkpoint. CNN options apply to every CNN of the study.
            """)

    @OptionGroup var data: DataOption

    @Option(name: .long, help: "Study folder to create (or to continue).")
    var out: String

    @Option(help: ArgumentHelp("Comma-separated models: svm, xgboost, any architecture, hybrid (on --backbone, default efficientnet-lite0). Default: svm, xgboost, efficientnet-lite0 and the hybrid on it, and vgg16, densenet201 and convnext-tiny where their ImageNet weights are installed (or with --weights none).",
                               valueName: "LIST"))
    var models: String?

    @Option(help: "Seed of every random choice (split, models).")
    var seed: UInt64 = 42

    @Option(help: "Use this split manifest (split.json) instead of making one.")
    var split: String?

    @Option(name: .customLong("group-runs"), help: "Keep runs of N consecutive file numbers in one part.")
    var groupRuns: Int?

    @Option(name: .customLong("fractions"), parsing: .upToNextOption, help: "Train, validation and test fractions.")
    var fractions: [Double] = [StudyProtocol.defaultSplit.train, StudyProtocol.defaultSplit.validation, StudyProtocol.defaultSplit.test]

    @Option(help: ArgumentHelp("Cross-validate every model on the same K folds instead of one split.", valueName: "K"))
    var folds: Int?

    @Flag(help: "Refit every model on train + validation after its model selection (see `train --refit`).")
    var refit = false

    @OptionGroup var cost: CostOption

    @OptionGroup(title: "CNN options (for every CNN of the study)") var cnn: CNNTrainingArguments

    /// The default models: those that can train here.
    static let standardModels = ["svm", "xgboost", "efficientnet-lite0", "hybrid"]
    static let modelsNeedingImportedWeights: [Architecture] = [.vgg16, .densenet201, .convnextTiny]

    func run() throws {
        try reportingErrors {
            guard fractions.count == 3 else {
                throw ValidationError("--fractions takes three numbers (train validation test), got \(fractions.count)")
            }
            guard folds == nil || split == nil else { throw ValidationError("--folds makes its own splits; it cannot reuse --split") }
            let splitConfiguration = SplitConfiguration(trainFraction: fractions[0], validationFraction: fractions[1],
                                                        testFraction: fractions[2], seed: seed, groupRuns: groupRuns)
            try splitConfiguration.validate()
            let trainingData = TrainingData(directory: try data.directory(), descriptionFile: data.classesFile, costFile: cost.file)
            let classCount = try trainingData.description().classes.count
            let request = StudyRequest(
                directory: URL(fileURLWithPath: out), data: trainingData,
                models: try modelNames().map { ($0.folder, try specification(of: $0.model, classCount: classCount)) },
                seed: seed, split: splitConfiguration, reusedSplit: split.map { URL(fileURLWithPath: $0) }, folds: folds, refit: refit,
                weightsCache: cnn.weightsCacheURL, featureCache: cnn.featureCacheURL, commandLine: CommandLine.arguments)
            let count = request.models.count
            guard let runs = try Study.run(request, log: { print($0) }, control: { index, name in
                cnn.control(prefix: "[\(index + 1)/\(count) \(name)] ")
            }) else {
                print("the study stopped before its end; run the same command again to continue")
                return
            }
            // The comparison is the study's result: written anew (it is deterministic) whenever the study ends.
            let comparison = URL(fileURLWithPath: out).appendingPathComponent("comparison")
            if FileManager.default.fileExists(atPath: comparison.path) { try FileManager.default.removeItem(at: comparison) }
            let summary = try Comparison.run(ComparisonRequest(
                inputs: [URL(fileURLWithPath: out)], output: comparison, seed: seed,
                costFile: cost.file, commandLine: (["leukemia"] + CommandLine.arguments.dropFirst()).map(CompareCommand.quoted).joined(separator: " ")
            )) { print("[compare] " + $0) }
            for model in summary.models {
                print(String(format: "%@: accuracy %.4f, total cost %.0f", model.name, model.metrics.accuracy, model.metrics.totalCost)
                      + (model.name == summary.bestModel ? " (best)" : ""))
            }
            print("runs: " + runs.map(\.lastPathComponent).joined(separator: ", ") + "; comparison: \(comparison.path)/report.html")
        }
    }

    /// The listed (or default) models with their run folder names.
    private func modelNames() throws -> [(model: ModelChoiceOrHybrid, folder: String)] {
        let names = models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            ?? Self.standardModels + Self.modelsNeedingImportedWeights.filter { architecture in
                cnn.weights != "imagenet" || (try? WeightsSource.imagenet.file(for: architecture, cache: cnn.weightsCacheURL)) != nil
            }.map(\.rawValue)
        return try names.map { name in
            if name == Architecture.hybrid.rawValue {
                let backbone = cnn.backbone ?? .efficientnetLite0
                return (.hybrid(backbone: backbone), "hybrid-\(backbone.rawValue)")
            }
            guard let choice = ModelChoice(argument: name) else {
                throw ValidationError("unknown model '\(name)' in --models; known: \(ModelChoice.allValueStrings.joined(separator: ", "))")
            }
            return (.plain(choice), name)
        }
    }

    /// A model of the list: a `train --model` choice, or the hybrid on a backbone.
    enum ModelChoiceOrHybrid {
        case plain(ModelChoice)
        case hybrid(backbone: Architecture)
    }

    /// The specification of `model` with this command's CNN options (`--backbone` applies to the hybrid only).
    private func specification(of model: ModelChoiceOrHybrid, classCount: Int) throws -> ModelSpecification {
        var arguments = cnn
        switch model {
        case .plain(let choice):
            arguments.backbone = nil
            return try choice.specification(cnn: arguments, classCount: classCount, seed: seed)
        case .hybrid(let backbone):
            arguments.backbone = backbone
            return try ModelChoice.cnn(.hybrid).specification(cnn: arguments, classCount: classCount, seed: seed)
        }
    }
}
