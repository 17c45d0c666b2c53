import ArgumentParser
import Foundation
import LeukemiaKit

extension ClassicalModelKind: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model and write a run directory.")

    @Option(help: "Model: \(ClassicalModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: ClassicalModelKind = .xgboost

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

    func run() throws {
        try reportingErrors {
            guard fractions.count == 3 else {
                throw ValidationError("--fractions takes three numbers (train validation test), got \(fractions.count)")
            }
            let splitConfiguration = try SplitConfiguration(trainFraction: fractions[0], validationFraction: fractions[1],
                                                            testFraction: fractions[2], seed: seed, groupRuns: groupRuns)
            let request = ClassicalTrainingRequest(
                model: model, dataDirectory: try data.directory(), runDirectory: URL(fileURLWithPath: out),
                seed: seed, split: splitConfiguration, reusedSplit: split.map { URL(fileURLWithPath: $0) },
                cost: try cost.matrix())
            try ClassicalTrainer.train(request) { print($0) }
        }
    }
}
