import ArgumentParser
import LeukemiaKit

@main
struct Leukemia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leukemia",
        abstract: "Classify acute lymphoblastic leukemia subtypes (Benign, Early, Pre, Pro) from blood smear images.",
        version: ToolkitVersion.description,
        subcommands: [DatasetCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ExplainCommand.self,
                      OODCommand.self, CalibrateCommand.self, WeightsCommand.self, ServeCommand.self, LogCommand.self]
    )
}
