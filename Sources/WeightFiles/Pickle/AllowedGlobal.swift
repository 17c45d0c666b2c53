/// The globals a checkpoint pickle may name, like PyTorch's `weights_only=True` loader: ordered dicts,
/// tensor and parameter rebuild functions and typed-storage classes. Any other global is refused
/// as soon as the pickle names it, before anything could be called.
enum AllowedGlobal: Equatable {
    case orderedDict
    /// `torch._utils._rebuild_tensor(storage, offset, size, stride)` (PyTorch < 1.0 files).
    case rebuildTensor
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensorV2
    /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`.
    case rebuildParameter
    /// `torch._utils._rebuild_parameter_with_state(data, requires_grad, hooks, state)`.
    case rebuildParameterWithState
    /// `torch.FloatStorage` and the other typed-storage classes.
    case storageClass(ElementType)

    /// Resolves `module.name`, or returns nil when it is not allowlisted.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", _):
            guard let type = ElementType(storageClass: name) else { return nil }
            self = .storageClass(type)
        default: return nil
        }
    }

    /// `module.name` as Python spells it.
    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case let .storageClass(type): return "torch.\(type.storageClassName)"
        }
    }
}
