import Foundation
import ModelZoo
import NeuralNetworks
import WeightFiles
import ToolkitSupport
import Datasets

/// The folder of imported pretrained weights: one `<architecture>.safetensors` per architecture,
/// checked against the architecture's parameter names and shapes when imported, with metadata
/// saying where the weights came from.
public struct WeightStore: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// `$LEUKEMIA_WEIGHTS_CACHE`, else `$XDG_CACHE_HOME/leukemia/weights`, else `~/.cache/leukemia/weights`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["LEUKEMIA_WEIGHTS_CACHE"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("leukemia/weights")
    }

    /// Where the weights of `architecture` are kept.
    public func file(for architecture: String) -> URL {
        folder.appendingPathComponent("\(architecture).safetensors")
    }

    /// Loads a checkpoint (PyTorch zip or legacy `.pth`, or `.safetensors`) into `network`, the
    /// architecture with its ImageNet head, which checks every key and shape (after torchvision's
    /// historical renames), and stores the network's state dict. Nothing is stored when a check
    /// fails; the error lists every missing, unexpected or mis-shaped key.
    @discardableResult
    public func importWeights(architecture: String, from source: URL, checkingWith network: any ImageClassifierNetwork) throws
        -> ImportedWeights {
        guard FileManager.default.fileExists(atPath: source.path) else { throw InputPathError.missing(source.path) }
        try network.loadPretrained(from: source, includingHead: true)
        let stateDict = network.stateDict()
        let metadata = [
            "architecture": architecture,
            "source": source.lastPathComponent,
            "source_sha256": try SHA256.hash(fileAt: source).hexString,
            "imported_at": ISO8601DateFormatter().string(from: Date()),
            "toolkit_version": ToolkitVersion.current,
        ]
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WeightStoreError.unreadable(folder.path, reason: error.localizedDescription)
        }
        try SafeTensors.write(stateDict, metadata: metadata, to: file(for: architecture))
        return ImportedWeights(architecture: architecture, file: file(for: architecture), stateDict: stateDict, metadata: metadata)
    }

    /// The imported weights of `architecture`, checked to be that architecture's.
    public func load(architecture: String) throws -> ImportedWeights {
        let url = file(for: architecture)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WeightStoreError.notImported(architecture: architecture, expectedFile: url.path)
        }
        let contents = try SafeTensors.readContents(from: url)
        let recorded = contents.metadata["architecture"] ?? "an unknown architecture"
        guard recorded == architecture else {
            throw WeightStoreError.wrongArchitecture(file: url.path, recorded: recorded, requested: architecture)
        }
        return ImportedWeights(architecture: architecture, file: url, stateDict: contents.tensors, metadata: contents.metadata)
    }

    /// Loads the weights of `architecture` into `network` again, which checks every key and shape.
    public func verify(architecture: String, checkingWith network: any ImageClassifierNetwork) throws -> ImportedWeights {
        let weights = try load(architecture: architecture)
        try network.loadStateDict(weights.stateDict)
        return weights
    }

    /// The architectures with a weight file in the store, sorted.
    public func importedArchitectures() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
    }
}

/// Weights held in the store, with their provenance.
public struct ImportedWeights: Sendable {
    public let architecture: String
    public let file: URL
    public let stateDict: StateDict
    /// `architecture`, `source`, `source_sha256`, `imported_at`, `toolkit_version`.
    public let metadata: [String: String]

    /// The number of scalars over all tensors.
    public var scalarCount: Int { stateDict.values.reduce(0) { $0 + $1.values.count } }
}
