import Tensors
import WeightFiles

/// PyTorch-compatible state dicts of layer trees.
extension Layer {
    /// Parameters and buffers by dotted key, as PyTorch's `state_dict()` (frozen parameters
    /// included; `num_batches_tracked` as a float).
    public func stateDict() -> StateDict {
        var result: StateDict = [:]
        for (name, parameter) in namedParameters() { result[name] = NamedArray(parameter.value) }
        for (name, buffer) in namedBuffers() { result[name] = NamedArray(buffer.value) }
        return result
    }

    /// The shape of every state-dict key.
    public func stateDictShapes() -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (name, parameter) in namedParameters() { result[name] = parameter.value.shape }
        for (name, buffer) in namedBuffers() { result[name] = buffer.value.shape }
        return result
    }

    /// Replaces every parameter and buffer by the array of the same key, as PyTorch's
    /// `load_state_dict(strict=True)`. Nothing changes unless all keys match.
    /// - Throws: `StateDictMismatch` listing every missing, unexpected and mis-shaped key;
    ///   `LayerError.inconsistentArray` for an array whose value count does not fit its shape.
    public func loadStateDict(_ stateDict: StateDict) throws {
        try checkStateDict(stateDict, expected: stateDictShapes())
        func tensor(_ key: String) throws -> Tensor? {
            guard let array = stateDict[key] else { return nil }
            guard array.values.count == array.elementCount else {
                throw LayerError.inconsistentArray(key: key, shape: array.shape, valueCount: array.values.count)
            }
            return try Tensor(array)
        }
        let parameters = try namedParameters().compactMap { name, parameter in try tensor(name).map { (parameter, $0) } }
        let buffers = try namedBuffers().compactMap { name, buffer in try tensor(name).map { (buffer, $0) } }
        for (parameter, value) in parameters { parameter.value = value }
        for (buffer, value) in buffers { buffer.value = value }
    }
}
