import Foundation
import Tensors
import WeightFiles

/// Writes the state dict of `layer` (parameters and buffers by PyTorch key) to a safetensors
/// file at `url`, atomically, with optional free-form `metadata`.
/// - Throws: `WeightFileError.nonFinite` naming the tensor when a weight is NaN or infinite
///   (nothing is written then); `WeightFileError.unwritable` naming the file.
public func saveWeights(of layer: any Layer, to url: URL, metadata: [String: String] = [:]) throws {
    let stateDict = layer.stateDict()
    try stateDict.checkFinite(source: url.path)
    try SafeTensors.write(stateDict, metadata: metadata, to: url)
}

/// Loads the parameters and buffers of `layer` from a safetensors file written by `saveWeights`
/// (or converted from a PyTorch `state_dict()`), and returns the file's metadata.
/// - Throws: `WeightFileError` naming the file (`.nonFinite` naming the tensor for a NaN or
///   infinite weight), or `StateDictMismatch` listing every missing, unexpected and mis-shaped key
///   (the layer is then unchanged).
@discardableResult
public func loadWeights(into layer: any Layer, from url: URL) throws -> [String: String] {
    let contents = try SafeTensors.readContents(from: url)
    try contents.tensors.checkFinite(source: url.path)
    try layer.loadStateDict(contents.tensors)
    return contents.metadata
}
