import ToolkitSupport
/// Why a CNN training, resumption or CNN run cannot proceed; each message names the file or value at fault.
public enum CNNTrainingError: DescribedError, Equatable {
    case weightsFileMissing(String)
    case incompatibleWeights(String, reason: String)
    case invalidOption(name: String, value: String, expected: String)
    case nothingToResume(String)
    case alreadyFinished(String)
    case corruptCheckpoint(String, reason: String)
    case notACNNRun(String, model: String)
    case testTimeAugmentationUnsupported(String)
    case unreadableImage(String, reason: String)
    case emptyPart(String, split: String)
    /// The training diverged: a batch's loss, or a parameter's gradient, is NaN or infinite.
    case nonFinite(epoch: Int, batch: Int, loss: Float, parameter: String?)
    /// A configuration whose estimated peak memory exceeds the machine's.
    case wouldNotFit(estimateMiB: Int, memoryMiB: Int, batchSize: Int, inputSize: Int)

    public var description: String {
        switch self {
        case .weightsFileMissing(let path): return "weights file \(path) does not exist"
        case let .incompatibleWeights(path, reason): return "\(path) does not fit the network: \(reason)"
        case let .invalidOption(name, value, expected): return "--\(name) \(value): expected \(expected)"
        case .nothingToResume(let path):
            return "\(path) holds no interrupted training (training-options.json or checkpoint.safetensors is missing)"
        case .alreadyFinished(let path): return "\(path) holds a finished run (config.json); nothing to resume"
        case let .corruptCheckpoint(path, reason): return "\(path) is unusable: \(reason)"
        case let .notACNNRun(path, model): return "\(path) holds a '\(model)' run, not a CNN run"
        case .testTimeAugmentationUnsupported(let path):
            return "\(path) is not a CNN run; test-time augmentation (--tta) applies only to CNN runs"
        case let .unreadableImage(path, reason): return "\(path) cannot be read: \(reason)"
        case let .wouldNotFit(estimate, memory, batchSize, inputSize):
            return "training would need about \(estimate) MiB (batch \(batchSize), \(inputSize)x\(inputSize) images), "
                + "this machine has \(memory) MiB; lower --batch-size or --input-size"
        case let .emptyPart(part, split): return "the \(part) part of \(split) has no readable image"
        case let .nonFinite(epoch, batch, loss, parameter):
            return "training stopped at epoch \(epoch), batch \(batch): the loss is \(loss)"
                + (parameter.map { " and the gradient of \($0) is not finite" } ?? "")
                + "; the run keeps its last good checkpoint (try a lower --learning-rate)"
        }
    }
}
