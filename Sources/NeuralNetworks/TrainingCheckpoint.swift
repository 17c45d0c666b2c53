import Foundation
import Tensors
import WeightFiles

/// A training checkpoint in one safetensors file: the model's state dict under `model.<key>`,
/// the optimizer's state tensors under `optimizer.<parameter key>.<state name>` (e.g.
/// `optimizer.0.weight.exp_avg`), optionally a running average of the model's state dict under
/// `average.<key>` (weight averaging over epochs), and in the metadata the optimizer kind,
/// learning rate and counters next to the caller's entries (such as the epoch).
public enum TrainingCheckpoint {
    static let modelPrefix = "model."
    static let averagePrefix = "average."
    static let optimizerPrefix = "optimizer."
    static let kindKey = "optimizer.kind"
    static let learningRateKey = "optimizer.learning_rate"
    static let counterPrefix = "optimizer.counter."

    /// Writes `model` and `optimizer` (whose parameters must all belong to `model`) to `url`,
    /// atomically, with the caller's `metadata` (keys must not start with "optimizer.") and, if
    /// given, `averagedModel`: a state dict with `model`'s keys and shapes.
    /// - Throws: `CheckpointError` for a foreign parameter or reserved metadata key;
    ///   `WeightFileError.unwritable` naming the file.
    public static func save(model: any Layer, optimizer: any Optimizer, metadata: [String: String] = [:],
                            averagedModel: StateDict? = nil, to url: URL) throws {
        if let reserved = metadata.keys.sorted().first(where: { $0.hasPrefix(optimizerPrefix) }) {
            throw CheckpointError.reservedMetadataKey(reserved)
        }
        let names = try parameterNames(of: optimizer, in: model)
        let state = optimizer.state
        var tensors: StateDict = [:]
        for (key, array) in model.stateDict() { tensors[modelPrefix + key] = array }
        for (key, array) in averagedModel ?? [:] { tensors[averagePrefix + key] = array }
        for (index, entries) in state.tensors {
            for (name, tensor) in entries { tensors["\(optimizerPrefix)\(names[index]).\(name)"] = NamedArray(tensor) }
        }
        var allMetadata = metadata
        allMetadata[kindKey] = state.kind
        allMetadata[learningRateKey] = "\(state.learningRate)"
        for (name, value) in state.counters { allMetadata[counterPrefix + name] = "\(value)" }
        try SafeTensors.write(tensors, metadata: allMetadata, to: url)
    }

    /// Restores `model` and `optimizer` from a checkpoint written by `save` and returns the
    /// caller's metadata and the averaged model's state dict (nil if the checkpoint has none).
    /// Nothing is changed unless the whole checkpoint fits.
    /// - Throws: `WeightFileError` naming the file; `StateDictMismatch` for model or average keys;
    ///   `CheckpointError` or `OptimizerError.invalidState` for optimizer state that does not fit.
    @discardableResult
    public static func load(into model: any Layer, optimizer: any Optimizer,
                            from url: URL) throws -> (metadata: [String: String], averagedModel: StateDict?) {
        let contents = try SafeTensors.readContents(from: url)
        let source = url.path
        let names = try parameterNames(of: optimizer, in: model)
        let indices = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var modelState: StateDict = [:], averageState: StateDict = [:]
        var optimizerTensors: [Int: [String: Tensor]] = [:]
        for (key, array) in contents.tensors {
            if key.hasPrefix(modelPrefix) {
                modelState[String(key.dropFirst(modelPrefix.count))] = array
            } else if key.hasPrefix(averagePrefix) {
                averageState[String(key.dropFirst(averagePrefix.count))] = array
            } else if let entry = optimizerEntry(key), let index = indices[entry.parameter] {
                optimizerTensors[index, default: [:]][entry.state] = try Tensor(array)
            } else {
                throw CheckpointError.unexpectedKey(source: source, key: key)
            }
        }
        guard let kind = contents.metadata[kindKey] else { throw CheckpointError.missingMetadata(source: source, key: kindKey) }
        guard let rateText = contents.metadata[learningRateKey], let learningRate = Float(rateText) else {
            throw CheckpointError.missingMetadata(source: source, key: learningRateKey)
        }
        var counters: [String: Int] = [:]
        var callerMetadata: [String: String] = [:]
        for (key, value) in contents.metadata {
            if key.hasPrefix(counterPrefix) {
                guard let count = Int(value) else { throw CheckpointError.missingMetadata(source: source, key: key) }
                counters[String(key.dropFirst(counterPrefix.count))] = count
            } else if !key.hasPrefix(optimizerPrefix) {
                callerMetadata[key] = value
            }
        }
        let state = OptimizerState(kind: kind, tensors: optimizerTensors, counters: counters, learningRate: learningRate)
        try checkStateDict(modelState, expected: model.stateDictShapes())
        if !averageState.isEmpty { try checkStateDict(averageState, expected: model.stateDictShapes()) }
        let previous = optimizer.state
        try optimizer.restore(state)
        do {
            try model.loadStateDict(modelState)
        } catch {
            try optimizer.restore(previous)
            throw error
        }
        return (callerMetadata, averageState.isEmpty ? nil : averageState)
    }

    /// The parameter key and state name of `optimizer.<parameter key>.<state name>`, or nil.
    private static func optimizerEntry(_ key: String) -> (parameter: String, state: String)? {
        guard key.hasPrefix(optimizerPrefix) else { return nil }
        let rest = key.dropFirst(optimizerPrefix.count)
        guard let split = rest.lastIndex(of: "."), split > rest.startIndex else { return nil }
        return (String(rest[..<split]), String(rest[rest.index(after: split)...]))
    }

    /// The state-dict key of each of the optimizer's parameters.
    private static func parameterNames(of optimizer: any Optimizer, in model: any Layer) throws -> [String] {
        var names: [ObjectIdentifier: String] = [:]
        for (name, parameter) in model.namedParameters() where names[ObjectIdentifier(parameter)] == nil {
            names[ObjectIdentifier(parameter)] = name
        }
        return try optimizer.parameters.enumerated().map { index, parameter in
            guard let name = names[ObjectIdentifier(parameter)] else { throw CheckpointError.foreignParameter(index: index) }
            return name
        }
    }
}
