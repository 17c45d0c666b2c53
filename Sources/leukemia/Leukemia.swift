import ArgumentParser
import LeukemiaKit
import Tensors

@main
struct Leukemia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leukemia",
        abstract: "Train, compare, evaluate and apply classifiers of blood-cell images (any class set; acute lymphoblastic leukemia subtypes by default).",
        version: ToolkitVersion.description,
        subcommands: [DatasetCommand.self, CellsCommand.self, TrainCommand.self, StudyCommand.self, CompareCommand.self, EvaluateCommand.self,
                      PredictCommand.self, ExplainCommand.self, OODCommand.self, CalibrateCommand.self, EnsembleCommand.self,
                      ServeCommand.self, LogCommand.self, WeightsCommand.self]
    )

    /// The entry point: oneDNN's OpenMP threads get the toolkit's spin count (one re-execution of
    /// this program, see `OpenMPSpinning`), then the command line is parsed and run.
    static func main() async {
        OpenMPSpinning.applyToThisProcess()
        await main(nil)
    }
}
