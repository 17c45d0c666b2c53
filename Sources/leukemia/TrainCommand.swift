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

    @OptionGroup var cost: CostOption

    @OptionGroup(title: "CNN options") var cnn: CNNTrainingArguments

    /// The options `--resume` takes: which run, where its data now is, and how this session runs.
    static let optionsUsedOnResume: Set<String> = ["--resume", "--out", "--data", "--stop-after"]

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
                try CNNTrainer.resume(URL(fileURLWithPath: out), dataDirectory: data.data.map { URL(fileURLWithPath: $0) },
                                      control: cnn.control())
                return
            }
            guard fractions.count == 3 else {
                throw ValidationError("--fractions takes three numbers (train validation test), got \(fractions.count)")
            }
            let splitConfiguration = try SplitConfiguration(trainFraction: fractions[0], validationFraction: fractions[1],
                                                            testFraction: fractions[2], seed: seed, groupRuns: groupRuns)
            switch model {
            case .classical(let kind):
                let request = ClassicalTrainingRequest(
                    model: kind, dataDirectory: try data.directory(), runDirectory: URL(fileURLWithPath: out),
                    seed: seed, split: splitConfiguration, reusedSplit: split.map { URL(fileURLWithPath: $0) },
                    classesFile: data.classesFile, costFile: cost.file)
                try ClassicalTrainer.train(request) { print($0) }
            case .cnn(let architecture):
                let dataDirectory = try data.directory()
                let classes = try TrainingData(directory: dataDirectory, descriptionFile: data.classesFile).description().classes
                let request = CNNTrainingRequest(
                    options: try cnn.options(for: architecture, classCount: classes.count, seed: seed), dataDirectory: dataDirectory,
                    runDirectory: URL(fileURLWithPath: out), split: splitConfiguration,
                    reusedSplit: split.map { URL(fileURLWithPath: $0) }, classesFile: data.classesFile, costFile: cost.file,
                    weightsCache: cnn.weightsCacheURL, featureCache: cnn.featureCacheURL)
                try CNNTrainer.train(request, control: cnn.control())
            }
        }
    }
}
