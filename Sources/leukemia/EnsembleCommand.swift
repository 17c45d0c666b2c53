import ArgumentParser
import Foundation
import LeukemiaKit

struct EnsembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensemble",
        abstract: "Average finished runs' (calibrated) probabilities into a run of its own.",
        discussion: """
            The members must share the split (split.json), the classes and the cost matrix. With --weights fit (default) \
            the weights minimize the log loss of the weighted average on the shared validation part; refit members have no \
            validation part and need --weights equal. The result is a run directory like any other: evaluate, predict, \
            calibrate and ood fit accept it. Its out-of-distribution check is its first member's.
            """)

    @Argument(help: "Member run directories written by `leukemia train` (at least 2; not ensembles).")
    var members: [String]

    @Option(help: "A new or empty folder for the ensemble run.")
    var out: String

    @Option(help: "fit (on the validation part) or equal.")
    var weights: EnsembleWeighting = .fit

    @Option(help: "The members' data folder, if it has moved.")
    var data: String?

    func run() throws {
        try reportingErrors {
            let outcome = try EnsembleBuilder.make(EnsembleRequest(members: members.map { URL(fileURLWithPath: $0) },
                                                                   runDirectory: URL(fileURLWithPath: out), weighting: weights,
                                                                   dataDirectory: data.map { URL(fileURLWithPath: $0) })) { print($0) }
            print(outcome.metrics.summaryLine)
            print("wrote \(out)")
        }
    }
}

extension EnsembleWeighting: ExpressibleByArgument {}
