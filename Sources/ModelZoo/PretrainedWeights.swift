import Foundation
import NeuralNetworks
import WeightFiles

/// Loading published weights files into zoo networks.
extension ImageClassifierNetwork {
    /// Loads a weights file: safetensors (`.safetensors`) or a PyTorch checkpoint (any other
    /// extension, e.g. torchvision's `.pth`). torchvision's old DenseNet key names
    /// (`denselayer1.norm.1.weight`) are renamed first, and a BatchNorm's `num_batches_tracked`
    /// that the file lacks is set to 0, as PyTorch does for checkpoints saved before the counter
    /// existed (torchvision's DenseNet and VGG-BN files); other keys are used as they are.
    ///
    /// With `includingHead`, every key must match (an ImageNet checkpoint into a 1000-class
    /// network); without it the head's keys are ignored and the current head is kept (a pretrained
    /// body under a new k-class head, see `loadBackbone(_:)`).
    /// - Throws: `WeightFileError` for an unreadable or malformed file; `StateDictMismatch` for
    ///   missing, unexpected or mis-shaped keys (nothing is loaded then).
    public func loadPretrained(from url: URL, includingHead: Bool) throws {
        let file = url.pathExtension == "safetensors" ? try SafeTensors.read(from: url) : try PyTorchCheckpoint.read(from: url)
        try file.checkFinite(source: url.path)
        var stateDict = StateDictKeyRenames.torchvisionDenseNet(file)
        for (name, layer) in namedLayers() where layer is BatchNorm2d {
            let key = (name.isEmpty ? "" : name + ".") + "num_batches_tracked"
            if stateDict[key] == nil { stateDict[key] = NamedArray(shape: [], values: [0]) }
        }
        if includingHead {
            try loadStateDict(stateDict)
        } else {
            try loadBackbone(stateDict)
        }
    }
}
