import Foundation

/// Key renames that torchvision applies when it loads its own historical checkpoints.
public enum StateDictKeyRenames {
    /// torchvision's DenseNet rename (`densenet.py`, `_load_state_dict`): old checkpoints name a dense
    /// layer's modules `norm.1`, `relu.1`, `conv.1`, `norm.2`, ...; module names may no longer contain
    /// dots, so `…denselayerN.norm.1.weight` becomes `…denselayerN.norm1.weight`. It applies to keys
    /// matching `^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$`;
    /// other keys are unchanged.
    public static func torchvisionDenseNet(_ dict: StateDict) -> StateDict {
        var renamed: StateDict = [:]
        for (key, value) in dict {
            renamed[denseNetKey(key) ?? key] = value
        }
        return renamed
    }

    /// The new name of an old-style DenseNet key, or nil if the key does not have the old form.
    static func denseNetKey(_ key: String) -> String? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return nil }
        let layer = parts[parts.count - 4]
        let module = parts[parts.count - 3]
        let index = parts[parts.count - 2]
        let parameter = parts[parts.count - 1]
        guard ["weight", "bias", "running_mean", "running_var"].contains(parameter),
              index == "1" || index == "2",
              ["norm", "relu", "conv"].contains(module),
              let marker = layer.range(of: "denselayer", options: .backwards) else { return nil }
        let number = layer[marker.upperBound...]
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let head = parts[..<(parts.count - 2)].joined(separator: ".")
        return "\(head)\(index).\(parameter)"
    }
}
