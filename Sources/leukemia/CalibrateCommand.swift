import ArgumentParser
import Foundation
import LeukemiaKit

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Fit (or refit) a run's temperature scaling on its own validation part.",
        discussion: "Training calibrates already; this adds calibration.json to runs trained before it existed.")

    @Argument(help: "Run directory written by `leukemia train`.")
    var runDirectory: String

    @Option(help: "The run's data folder, if it has moved.")
    var data: String?

    func run() throws {
        try reportingErrors {
            let calibration = try RunCalibration.fit(TrainedRuns.open(URL(fileURLWithPath: runDirectory)),
                                                     dataDirectory: data.map { URL(fileURLWithPath: $0) })
            print("\(calibration.summaryLine); wrote \(runDirectory)/\(RunCalibration.fileName)")
        }
    }
}
