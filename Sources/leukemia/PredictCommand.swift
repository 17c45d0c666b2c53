import ArgumentParser
import Foundation
import Datasets
import Evaluation
import LeukemiaKit

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Classify image files or folders with a trained run.")

    @Argument(help: "Run directory written by `leukemia train`.")
    var runDirectory: String

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png); - reads one image from standard input.")
    var paths: [String]

    @Option(help: "Output format: text, csv or json.")
    var format: PredictionFormat = .text

    @OptionGroup var cost: CostOption

    @OptionGroup var testTimeAugmentation: TestTimeAugmentationOption

    @Flag(name: .customLong("allow-ood"), help: "Exit with status 0 even when images are flagged out of distribution (they are still marked).")
    var allowOutOfDistribution = false

    @Flag(help: "Give the model's raw probabilities instead of the calibrated ones.")
    var raw = false

    @Option(help: ArgumentHelp("Also give each image's split-conformal prediction set: the classes that hold the true one with this probability on images like the validation part's, e.g. 0.95.", valueName: "P"))
    var coverage: Double?

    @Option(name: .customLong("conformal-method"), help: "lac (smallest sets, one threshold; default), class_conditional (the coverage holds per class) or aps (adaptive).")
    var conformalMethod: ConformalMethod = .leastAmbiguous

    @Option(name: .customLong("refer-below"), help: ArgumentHelp("Mark images whose top (calibrated) probability is under P \"refer to a person\".", valueName: "P"))
    var referBelow: Double?

    @Option(help: ArgumentHelp("Also write each image file's explanation into DIR, as `leukemia explain` does: the cells coloured by attention for a cell-attention run, Grad-CAM of the predicted class for a CNN.", valueName: "DIR"))
    var explain: String?

    func run() throws {
        let (outcome, classNames) = try reportingErrors {
            let run = try testTimeAugmentation.openRun(runDirectory)
            var images: [EncodedImage] = []
            for path in paths {
                if path == "-" {
                    images.append(.bytes(FileHandle.standardInput.readDataToEndOfFile(), name: "-"))
                } else {
                    images += try ImageFileCollector.collect([URL(fileURLWithPath: path)]).map(EncodedImage.file)
                }
            }
            for (name, value) in [("--coverage", coverage), ("--refer-below", referBelow)] {
                if let value, !(value > 0 && value < 1) { throw ValidationError("\(name) must be in (0, 1), got \(value)") }
            }
            let settings = PredictionSettings(calibrated: !raw, coverage: coverage, conformalMethod: conformalMethod, referBelow: referBelow)
            let outcome = try Predictor.predict(run, images: images, cost: try cost.matrix(for: run.configuration), settings: settings)
            if let explain { try writeExplanations(of: run, for: images, into: URL(fileURLWithPath: explain)) }
            return (outcome, run.configuration.classes.names)
        }
        print(format.render(outcome.predictions, classNames: classNames))
        for failure in outcome.failures { printError("error: \(failure.file): \(failure.reason)") }
        if outcome.calibration == nil, !raw {
            printError("warning: \(runDirectory) has no calibration; probabilities are raw (add it with `leukemia calibrate \(runDirectory)`)")
        }
        if !outcome.checkedForOutOfDistribution {
            printError("warning: \(runDirectory) has no out-of-distribution check; add one with `leukemia ood fit \(runDirectory)`")
        }
        let flagged = outcome.flagged
        if !flagged.isEmpty {
            printError("\(allowOutOfDistribution ? "warning" : "error"): \(flagged.count) of \(outcome.predictions.count) images are out of "
                       + "distribution (the run cannot judge them), e.g. \(flagged[0].file): \(flagged[0].outOfDistribution ?? "")")
        }
        if !outcome.failures.isEmpty || (!flagged.isEmpty && !allowOutOfDistribution) { throw ExitCode.failure }
    }

    /// `--explain DIR`: each image file's explanation; an image that cannot be explained is named
    /// on standard error (its prediction stands).
    private func writeExplanations(of run: any TrainedImageClassifier, for images: [EncodedImage], into folder: URL) throws {
        let files = images.compactMap { image -> URL? in
            if case .file(let url) = image { return url }
            return nil
        }
        let cellRun = run as? CellAttentionRun
        let gradCAM = cellRun == nil ? try GradCAMRun.open(run.directory.url) : nil
        for (file, stem) in zip(files, ImageFileCollector.outputStems(for: files)) {
            do {
                if let cellRun {
                    _ = try CellAttentionExplanation.explain(fileAt: file, with: cellRun, into: folder, stem: stem)
                } else if let gradCAM {
                    _ = try gradCAM.explain(fileAt: file, classIndex: nil, layers: gradCAM.gradCAM.defaultLayers, into: folder, stem: stem)
                }
            } catch {
                printError("error: \(file.path): no explanation: \(error)")
            }
        }
    }
}

extension PredictionFormat: ExpressibleByArgument {}
extension ConformalMethod: ExpressibleByArgument {}
