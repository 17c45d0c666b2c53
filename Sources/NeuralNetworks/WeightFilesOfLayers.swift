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
    try load(SafeTensors.readContents(from: url), into: layer, source: url.path)
}

/// The same from the bytes of a safetensors file already in memory; `source` names it in errors.
@discardableResult
public func loadWeights(into layer: any Layer, fromContentsOf data: Data, source: String) throws -> [String: String] {
    try load(SafeTensors.decode(data, source: source), into: layer, source: source)
}

/// Loads decoded weights into `layer` once every value is checked finite; returns the metadata.
private func load(_ contents: SafeTensors.Contents, into layer: any Layer, source: String) throws -> [String: String] {
    try contents.tensors.checkFinite(source: source)
    try layer.loadStateDict(contents.tensors)
    return contents.metadata
}
