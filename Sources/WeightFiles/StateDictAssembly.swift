import Foundation

/// Turns an unpickled checkpoint object plus its storage bytes into a `StateDict`.
///
/// The state dict is the top-level dict if all its values are tensors; otherwise the first of
/// `wrapperKeys` that holds one (e.g. `{"epoch": 3, "state_dict": {...}}`), searched recursively.
/// Other entries (epochs, optimizer state, metrics) are ignored.
enum StateDictAssembly {
    /// Keys under which training scripts commonly nest the model's state dict, in the order tried.
    static let wrapperKeys = ["state_dict", "model_state_dict", "model"]

    /// Output elements allowed per storage element in the file: tensors may share storage, but a
    /// file cannot make the reader produce more than this multiple of the data it holds.
    static let maximumExpansion = 4

    /// The tensors of the state dict inside `root`, in file order.
    static func tensorEntries(in root: PickleValue, source: String) throws -> [(name: String, tensor: TensorReference)] {
        guard case let .dict(dict) = root else {
            throw WeightFileError.noStateDict(source: source, reason: "the checkpoint holds a \(root.typeName), not a dict")
        }
        var entries: [(name: String, tensor: TensorReference)] = []
        var nonTensors: [String] = []
        for (key, value) in zip(dict.keys, dict.values) {
            if case let .string(name) = key, case let .tensor(tensor) = value {
                entries.append((name, tensor))
            } else {
                nonTensors.append("\(key.text) (\(value.typeName))")
            }
        }
        if nonTensors.isEmpty, !entries.isEmpty { return entries }
        for wrapper in wrapperKeys {
            if let nested = dict[.string(wrapper)], case .dict = nested {
                return try tensorEntries(in: nested, source: source)
            }
        }
        let listed = nonTensors.prefix(10).joined(separator: ", ") + (nonTensors.count > 10 ? ", ..." : "")
        let reason = dict.count == 0 ? "the checkpoint is an empty dict"
            : "the dict has non-tensor entries \(listed) and none of the keys \(wrapperKeys.joined(separator: ", ")) holds a state dict"
        throw WeightFileError.noStateDict(source: source, reason: reason)
    }

    /// Decodes each tensor from its storage's bytes (`storageRanges[key]` in `bytes`, sized by the caller).
    static func materialize(_ entries: [(name: String, tensor: TensorReference)], bytes: [UInt8],
                            storageRanges: [String: Range<Int>], source: String) throws -> StateDict {
        var available: [String: Int] = [:]
        for (_, tensor) in entries where storageRanges[tensor.storage.key] != nil {
            available[tensor.storage.key] = tensor.storage.elementCount
        }
        var budget = maximumExpansion * available.values.reduce(0, +)
        var decoded: [String: [Float]] = [:]
        var result: StateDict = [:]
        for (name, tensor) in entries {
            let storage = tensor.storage
            guard let range = storageRanges[storage.key] else {
                throw WeightFileError.storageMissing(source: source, key: storage.key)
            }
            guard let count = StridedViewArithmetic.elementCount(tensor.shape), count <= budget else {
                throw WeightFileError.badTensor(source: source, name: name,
                                                reason: "size \(tensor.shape) exceeds what the file's storages can hold")
            }
            budget -= count
            let values: [Float]
            if let cached = decoded[storage.key] {
                values = cached
            } else {
                values = storage.elementType.decode(bytes, offset: range.lowerBound, count: storage.elementCount)
                decoded[storage.key] = values
            }
            let contiguous = StridedViewArithmetic.gather(values, shape: tensor.shape, strides: tensor.strides, offset: tensor.offset)
            result[name] = NamedArray(shape: tensor.shape, values: contiguous)
        }
        return result
    }
}
