import ArgumentParser
import Foundation
import LeukemiaKit
import Datasets

extension ClassicalModelKind: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model and write a run directory.")

    @Option(help: "Model: \(ModelChoice.allValueStrings.joined(separator: ", ")).")
    var model: ModelChoice = .classical(.xgboost)

    @OptionGroup var data: DataOption

    @Option(name: .long, help: "Run directory to create.")
    var out: String

    @Option(help: "Seed of every random choice (split, model).")
    var seed: UInt64 = 42

    @Option(help: "Reuse the split manifest (split.json) of an earlier run instead of making a new split.")
    var split: String?

    @Option(name: .customLong("group-runs"),
            help: "Keep runs of N consecutive file numbers in one part (a stand-in for unseen patients).")
    var groupRuns: Int?

    @Option(name: .customLong("fractions"), parsing: .upToNextOption,
            help: "Train, validation and test fractions.")
    var fractions: [Double] = [StudyProtocol.defaultSplit.train, StudyProtocol.defaultSplit.validation,
                               StudyProtocol.defaultSplit.test]

    @Option(help: ArgumentHelp("Cross-validate: train one run per fold (stratified; grouped with --group-runs or a groups file) into OUT/fold-N and score the folds together.",
                               valueName: "K"))
    var folds: Int?

    @Option(help: ArgumentHelp("With --folds K: train fold N alone (the same folds and runs as without it); the pooled scores are written once all K folds are finished. Lets the folds run one at a time, on several machines, or beside another tool's run of the same fold.",
                               valueName: "N"))
    var fold: Int?

    @Flag(help: ArgumentHelp("After model selection on the validation part, train again on train + validation with the selected epochs, rounds or C and gamma (same seed) into OUT; the selection run stays in OUT/selection. Re-running the same command continues."))
    var refit = false

    @OptionGroup var cost: CostOption

    @OptionGroup(title: "CNN options") var cnn: CNNTrainingArguments

    @OptionGroup(title: "Cell-attention options (--model cell-attention)") var cells: CellAttentionArguments

    /// The options `--resume` takes: which run, where its data now is, and how this session runs.
    static let optionsUsedOnResume: Set<String> = ["--resume", "--out", "--data", "--stop-after", "--profile"]

    /// The options in `arguments` (as typed, `--name` or `--name=value`) that `--resume` does not use.
    static func optionsIgnoredOnResume(_ arguments: ArraySlice<String>) -> [String] {
        arguments.filter { $0.hasPrefix("-") && $0 != "-" }
            .map { String($0.split(separator: "=", maxSplits: 1)[0]) }
            .filter { !optionsUsedOnResume.contains($0) }
    }

    func run() throws {
        try reportingErrors {
            if cnn.resume {
                let ignored = Self.optionsIgnoredOnResume(CommandLine.arguments.dropFirst())
                if !ignored.isEmpty {
                    printError("warning: --resume continues with the options the run was started with; ignoring "
                               + ignored.joined(separator: ", "))
                }
                try TrainingJob.resume(URL(fileURLWithPath: out), dataDirectory: data.data.map { URL(fileURLWithPath: $0) },
                                       control: cnn.control())
                return
            }
            guard fractions.count == 3 else {
                throw ValidationError("--fractions takes three numbers (train validation test), got \(fractions.count)")
            }
            let splitConfiguration = SplitConfiguration(trainFraction: fractions[0], validationFraction: fractions[1],
                                                        testFraction: fractions[2], seed: seed, groupRuns: groupRuns)
            try splitConfiguration.validate()
            if let fold {
                guard let folds else { throw ValidationError("--fold \(fold) needs --folds K") }
                guard (1...max(folds, 1)).contains(fold) else { throw ValidationError("--fold \(fold) is not one of the folds 1...\(folds)") }
            }
            if let folds {
                guard split == nil else { throw ValidationError("--folds makes its own splits; it cannot reuse --split") }
                try crossValidate(folds: folds, splitConfiguration: splitConfiguration)
                return
            }
            try job(splitConfiguration: splitConfiguration, reusedSplit: split.map { URL(fileURLWithPath: $0) })
                .run(into: URL(fileURLWithPath: out), control: cnn.control())
        }
    }

    /// The training of `--model` with this command's options.
    private func job(splitConfiguration: SplitConfiguration, reusedSplit: URL?) throws -> TrainingJob {
        let trainingData = TrainingData(directory: try data.directory(), descriptionFile: data.classesFile, costFile: cost.file)
        return TrainingJob(model: try model.specification(cnn: cnn, cells: cells, classCount: trainingData.description().classes.count, seed: seed),
                           data: trainingData, seed: seed, split: splitConfiguration, reusedSplit: reusedSplit, refit: refit,
                           weightsCache: cnn.weightsCacheURL, featureCache: cnn.featureCacheURL)
    }

    /// `--folds K`: one run per fold, trained as a single run would be, then the pooled scores.
    private func crossValidate(folds: Int, splitConfiguration: SplitConfiguration) throws {
        let control = cnn.control()
        try job(splitConfiguration: splitConfiguration, reusedSplit: nil).crossValidate(
            folds: folds, only: fold, into: URL(fileURLWithPath: out), log: { print($0) },
            control: CNNTrainingControl(log: { print("  " + $0) }, progress: control.progress, stopAfterEpoch: control.stopAfterEpoch,
                                        profile: control.profile))
    }
}
