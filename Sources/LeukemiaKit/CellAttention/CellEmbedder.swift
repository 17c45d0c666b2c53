import Foundation
import Imaging
import ModelZoo
import Tensors
import ToolkitSupport
import WeightFiles

/// The cells of one image as the attention network takes them: the cells found and, for each of
/// the symmetries embedded, one embedding per cell.
struct EmbeddedBag: Sendable {
    /// The cells found, in pixels of the `imageSize` image; empty when none was found (then the
    /// bag holds one instance: the whole image).
    var cells: [DetectedCell]
    /// `embeddings[v]`: the `[instanceCount, featureCount]` row-major embeddings of the cells
    /// under symmetry `v` (`RGBImage.dihedral(v)`); `v` = 0 is the cells as they are.
    var embeddings: [[Float]]
    let featureCount: Int

    /// The bag's instances: the cells, or 1 (the whole image) when none was found.
    var instanceCount: Int { max(cells.count, 1) }
    var isWholeImage: Bool { cells.isEmpty }
    var versions: Int { embeddings.count }

    /// The bag under symmetry `version` as the `[instanceCount, featureCount]` tensor the
    /// attention network takes.
    func tensor(version: Int) -> Tensor {
        Tensor(shape: [instanceCount, featureCount]) { _ = $0.update(fromContentsOf: embeddings[version]) }
    }
}

/// Embeds the cells of images with the backbone of `CellAttentionOptions`, keeping the
/// embeddings on disk: `featureCache/cells/<key>/<image content hash>.safetensors` (the tensor
/// `embeddings [versions, instances, featureCount]` and the cells as JSON metadata), where the
/// key is the SHA-256 of the backbone's blueprint, input size, normalization and body weights
/// (`FeatureCache.key`) and of the detector, image size and cell size. Other weights or settings
/// select another folder, so a changed backbone never reuses old embeddings.
struct CellEmbedder {
    let options: CellAttentionOptions
    let inference: CNNInference
    /// The folder of this backbone's and settings' embeddings, or nil for no cache.
    let cacheFolder: URL?
    /// The SHA-256 (hex) of the backbone's blueprint, input size, normalization and body weights
    /// (`FeatureCache.key`): a run records it, and refuses to open with another backbone.
    let backboneKey: String

    /// Builds the backbone and loads its weights (`options.backboneWeights`, ImageNet's from
    /// `weightsCache`); `featureCache` nil caches nothing.
    /// - Throws: `WeightStoreError`, `CNNTrainingError` for weights that cannot be loaded.
    init(options: CellAttentionOptions, weightsCache: URL, featureCache: URL?) throws {
        try self.init(options: options, backbone: Self.backbone(of: options, weightsCache: weightsCache), featureCache: featureCache)
    }

    /// Embeds with `backbone` as its weights are now (a top-blocks training's fine-tuned one),
    /// in evaluation mode; `featureCache` nil caches nothing.
    init(options: CellAttentionOptions, backbone network: any ImageClassifierNetwork, featureCache: URL?) throws {
        self.options = options
        let backboneOptions = try options.backboneOptions()
        network.eval()
        inference = CNNInference(network: network, options: backboneOptions)
        let backboneKey = try FeatureCache.key(contentHashes: [], network: network, options: backboneOptions,
                                               augmentation: nil, versions: 1)
        self.backboneKey = backboneKey
        cacheFolder = try featureCache.map { root in
            struct Settings: Encodable {
                var backbone: String
                var detector: CellDetector
                var imageSize: Int
                var cellSize: Int
            }
            var hasher = SHA256()
            hasher.update(Data(backboneKey.utf8))
            hasher.update(try JSONFormatting.encode(Settings(backbone: options.backbone.rawValue, detector: options.detector,
                                                             imageSize: options.imageSize, cellSize: options.cellSize)))
            return root.appendingPathComponent("cells").appendingPathComponent(hasher.finalize().hexString)
        }
    }

    /// The backbone of `options` with its starting weights (`options.backboneWeights`, ImageNet's
    /// from `weightsCache`), its head unused.
    /// - Throws: `WeightStoreError`, `CNNTrainingError` for weights that cannot be loaded.
    static func backbone(of options: CellAttentionOptions, weightsCache: URL) throws -> any ImageClassifierNetwork {
        let backboneOptions = try options.backboneOptions()
        let network = try backboneOptions.blueprint.makeNetwork(seed: options.seed)
        _ = try backboneOptions.weights.load(into: network.pretrainedBody, architecture: options.backbone, cache: weightsCache)
        return network
    }

    /// The length of one embedding (the backbone's pooled features).
    var featureCount: Int { inference.network.featureCount }

    /// The bags of `images` (each `imageSize` square, with its file's `contentHashes` naming the
    /// cache entry; nil hashes cache nothing), each with `versions` symmetries of its crops.
    /// Cached bags with at least `versions` symmetries are read, the others computed and stored.
    /// Returns the bags and how many were computed.
    /// - Throws: what detection, the backbone or writing the cache throw.
    func bags(of images: [RGBImage], contentHashes: [String]?, versions: Int) throws -> (bags: [EmbeddedBag], computed: Int) {
        var bags = [EmbeddedBag?](repeating: nil, count: images.count)
        if let contentHashes, let cacheFolder {
            for index in images.indices { bags[index] = cached(cacheFolder.appendingPathComponent(contentHashes[index] + ".safetensors"), versions: versions) }
        }
        let missing = images.indices.filter { bags[$0] == nil }
        // Detection and cutting for a chunk of images, then one backbone pass over all its crops.
        for chunk in stride(from: 0, to: missing.count, by: 64).map({ Array(missing[$0..<min($0 + 64, missing.count)]) }) {
            for (index, bag) in zip(chunk, try embed(chunk.map { try options.cells(in: images[$0]) }, versions: versions)) {
                bags[index] = bag
                if let contentHashes, let cacheFolder {
                    try store(bag, to: cacheFolder.appendingPathComponent(contentHashes[index] + ".safetensors"))
                }
            }
        }
        return (bags.map { $0! }, missing.count)
    }

    /// The bags of images whose cells were found and cut (`CellAttentionOptions.cells(in:)`), each with `versions`
    /// symmetries of its crops, from one backbone pass per symmetry; nothing is cached.
    func embed(_ found: [(cells: [DetectedCell], crops: [RGBImage])], versions: Int) throws -> [EmbeddedBag] {
        var versionEmbeddings: [[[Float]]] = []   // [version][crop of all images][feature]
        for version in 0..<versions {
            versionEmbeddings.append(try inference.outputs(of: found.flatMap { $0.crops.map { $0.dihedral(version) } }).features)
        }
        var first = 0
        return found.map { image in
            let count = image.crops.count
            defer { first += count }
            return EmbeddedBag(cells: image.cells, embeddings: versionEmbeddings.map { Array($0[first..<(first + count)].joined()) },
                               featureCount: featureCount)
        }
    }

    /// The cached bag in `file` cut to `versions` symmetries, or nil when it is absent, unreadable
    /// or has fewer.
    private func cached(_ file: URL, versions: Int) -> EmbeddedBag? {
        guard let contents = try? SafeTensors.readContents(from: file), let array = contents.tensors["embeddings"],
              array.shape.count == 3, array.shape[0] >= versions, array.shape[2] == featureCount,
              let json = contents.metadata["cells"], let cells = try? JSONDecoder().decode([DetectedCell].self, from: Data(json.utf8)),
              array.shape[1] == max(cells.count, 1) else { return nil }
        let width = array.shape[1] * array.shape[2]
        return EmbeddedBag(cells: cells, embeddings: (0..<versions).map { Array(array.values[($0 * width)..<(($0 + 1) * width)]) },
                           featureCount: featureCount)
    }

    private func store(_ bag: EmbeddedBag, to file: URL) throws {
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError.writeFailed(path: file.deletingLastPathComponent().path, reason: error.localizedDescription)
        }
        let cells = String(decoding: try JSONEncoder().encode(bag.cells), as: UTF8.self)
        try SafeTensors.write(["embeddings": NamedArray(shape: [bag.versions, bag.instanceCount, featureCount],
                                                        values: Array(bag.embeddings.joined()))],
                              metadata: ["cells": cells], to: file)
    }
}
