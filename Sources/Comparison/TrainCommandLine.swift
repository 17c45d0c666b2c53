import Foundation
import Datasets
import LeukemiaKit

/// The `leukemia train` command that makes a run like one recorded in `config.json`: the model,
/// data, seed and split settings, and a CNN's options as recorded. (Runs do not record the
/// command typed; options that cannot be given on the command line are named in a comment.)
enum TrainCommandLine {
    /// The command for `source` (a run, or a cross-validation of `foldCount` folds).
    static func reconstruct(_ configuration: RunConfiguration, output: URL, foldCount: Int?) -> String {
        var arguments = ["leukemia", "train", "--model", configuration.model, "--data", configuration.dataDirectory,
                         "--out", output.path, "--seed", "\(configuration.seed)"]
        let split = configuration.split
        if let foldCount {
            arguments += ["--folds", "\(foldCount)"]
        } else if [split.trainFraction, split.validationFraction, split.testFraction] != [0.64, 0.20, 0.16] {
            arguments += ["--fractions"] + [split.trainFraction, split.validationFraction, split.testFraction].map { "\($0)" }
        }
        if let groupRuns = split.groupRuns { arguments += ["--group-runs", "\(groupRuns)"] }
        if configuration.refit != nil { arguments.append("--refit") }
        var notes: [String] = []
        if let cnn = configuration.cnn {
            let network = cnn.network
            if let backbone = network.backbone { arguments += ["--backbone", backbone.rawValue] }
            if let variant = network.hybridVariant, network.architecture == .hybrid { arguments += ["--hybrid-variant", variant.rawValue] }
            arguments += ["--weights", cnn.weights.description, "--policy", cnn.policy.rawValue, "--epochs", "\(cnn.maximumEpochs)",
                          "--batch-size", "\(cnn.batchSize)", "--learning-rate", "\(cnn.learningRate)",
                          "--input-size", "\(network.inputSize)", "--resize", cnn.resize.rawValue,
                          "--normalization", network.normalization.rawValue,
                          "--early-stopping-patience", "\(cnn.earlyStoppingPatience)", "--plateau-factor", "\(cnn.plateauFactor)",
                          "--plateau-patience", "\(cnn.plateauPatience)"]
            if let rate = cnn.backboneLearningRate { arguments += ["--backbone-learning-rate", "\(rate)"] }
            if cnn.selection != .loss { arguments += ["--selection", cnn.selection.rawValue] }
            if cnn.schedule != .plateau { arguments += ["--schedule", cnn.schedule.rawValue] }
            if cnn.precision != .fp32 { arguments += ["--precision", cnn.precision.rawValue] }
            if cnn.batchNormRecomputationImages > 0 { arguments += ["--recompute-batch-norm", "\(cnn.batchNormRecomputationImages)"] }
            if let start = cnn.weightAveragingStart { arguments += ["--average-from", "\(start)"] }
            if !cnn.balancedClassWeights { arguments.append("--no-class-weights") }
            if let augmentation = cnn.augmentation {
                arguments += ["--rotation", "\(augmentation.rotationDegrees)", "--shift", "\(augmentation.widthShift)",
                              "--shear", "\(augmentation.shearDegrees)", "--zoom", "\(augmentation.zoom)"]
                if !augmentation.horizontalFlip { arguments.append("--no-flip") }
                if augmentation.fill != .nearest { arguments += ["--fill", augmentation.fill.rawValue] }
                arguments.append(augmentation.randomOrientation ? "--orientations" : "--no-orientations")
            } else {
                arguments.append("--no-augmentation")
            }
            if cnn.cachedAugmentedCopies > 0 { arguments += ["--cached-copies", "\(cnn.cachedAugmentedCopies)"] }
            notes.append("network blueprint as recorded in config.json (cnn.blueprint); pass it with --network-config FILE if it is not the architecture's own")
        }
        if let cells = configuration.cellAttention?.options {
            arguments += ["--weights", cells.backboneWeights.description, "--cell-backbone", cells.backbone.rawValue,
                          "--policy", cells.policy.rawValue]
            if cells.policy == .topBlocks { arguments += ["--backbone-learning-rate", "\(cells.backboneLearningRate)"] }
            arguments += ["--cell-size", "\(cells.cellSize)", "--cell-input-size", "\(cells.embeddingInputSize)",
                          "--cell-versions", "\(cells.augmentedVersions)", "--cell-epochs", "\(cells.maximumEpochs)",
                          "--cell-batch-size", "\(cells.bagsPerStep)", "--cell-learning-rate", "\(cells.learningRate)",
                          "--cell-patience", "\(cells.earlyStoppingPatience)", "--cell-dropout", "\(cells.network.dropoutRate)"]
            if !cells.balancedClassWeights { arguments.append("--no-class-weights") }
            notes.append("cell detector and attention sizes as recorded in config.json (cell_attention.options)")
        }
        if configuration.dataset != nil { notes.append("classes and costs as recorded in config.json (dataset, cost); pass --classes FILE / --cost FILE if they are not the data folder's") }
        return ([arguments.map(quoted).joined(separator: " ")] + notes.map { "#   \($0)" }).joined(separator: "\n")
    }

    /// `argument` quoted for a POSIX shell when it holds anything but safe characters.
    static func quoted(_ argument: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        guard argument.isEmpty || argument.unicodeScalars.contains(where: { !safe.contains($0) }) else { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
