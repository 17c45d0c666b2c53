import ArgumentParser
import LeukemiaKit

@main
struct Leukemia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leukemia",
        abstract: "Classify acute lymphoblastic leukemia subtypes (Benign, Early, Pre, Pro) from blood smear images.",
        version: ToolkitVersion.description,
        subcommands: [DatasetCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ExplainCommand.self,
                      OODCommand.self, CalibrateCommand.self, CompareCommand.self, WeightsCommand.self]
    )
}
