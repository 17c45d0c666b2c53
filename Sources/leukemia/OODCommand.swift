import ArgumentParser
import Foundation
import LeukemiaKit

struct OODCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ood", abstract: "The out-of-distribution check of a run.", subcommands: [Fit.self])

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit (or refit) a run's out-of-distribution check on its own training and validation parts.",
            discussion: "Training fits it already; this adds one to runs trained before it existed.")

        @Argument(help: "Run directory written by `leukemia train`.")
        var runDirectory: String

        @Option(help: "The run's data folder, if it has moved.")
        var data: String?

        @Option(name: .customLong("false-alarm-rate"), help: "Share of the validation part above the threshold.")
        var falseAlarmRate: Double = OutOfDistributionCheck.defaultFalseAlarmRate

        func run() throws {
            try reportingErrors {
                guard falseAlarmRate > 0, falseAlarmRate < 0.5 else {
                    throw ValidationError("--false-alarm-rate must be in (0, 0.5), got \(falseAlarmRate)")
                }
                let check = try OutOfDistributionCheck.fit(TrainedRuns.open(URL(fileURLWithPath: runDirectory)),
                                                           dataDirectory: data.map { URL(fileURLWithPath: $0) },
                                                           falseAlarmRate: falseAlarmRate)
                print(String(format: "threshold %.4f on the features of %d training images (%.1f %% of the validation part above it); "
                             + "wrote %@/%@", check.threshold, check.referenceCount, 100 * falseAlarmRate, runDirectory,
                             OutOfDistributionCheck.fileName))
            }
        }
    }
}
