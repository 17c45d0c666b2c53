import Foundation
import Imaging
import ModelZoo
import NeuralNetworks
import Tensors
import WeightFiles
import ToolkitSupport
import Datasets

/// A frozen backbone's feature vectors of an image set, `[versions · count, featureCount]`: row
/// `version · count + i` belongs to image `i`; version 0 is the image itself, versions 1...N are
/// augmented copies.
public struct CachedFeatures {
    public let features: Tensor
    public let labels: [Int]
    public let versions: Int

    /// The number of images.
    public var count: Int { labels.count }
    public var featureCount: Int { features.shape[1] }

    /// The rows `rows` as a `[rows.count, featureCount]` batch.
    func batch(rows: [Int]) -> Tensor {
        let width = featureCount
        return features.withUnsafeBufferPointer { source in
            Tensor(shape: [rows.count, width]) { destination in
                for (slot, row) in rows.enumerated() {
                    UnsafeMutableBufferPointer(rebasing: destination[(slot * width)..<((slot + 1) * width)])
                        .update(fromContentsOf: source[(row * width)..<((row + 1) * width)])
                }
            }
        }
    }
}

/// Feature vectors of frozen backbones, kept on disk so that training a head again on the same
/// images and backbone costs no backbone pass. A file is named by the SHA-256 of everything its
/// contents depend on: the images' content hashes in order, the backbone's weights, the network
/// configuration, input size and normalization, and (for augmented copies) the augmentation,
/// seed and copy count. Changing any of them selects another file.
public struct FeatureCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$LEUKEMIA_FEATURE_CACHE`, else `~/.cache/leukemia/features`.
    public static var defaultDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["LEUKEMIA_FEATURE_CACHE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/leukemia/features")
    }

    /// The features of `images` (whose files have `contentHashes`) under `network`'s body in
    /// evaluation mode, from the cache when present, else computed and stored. `augmentedCopies`
    /// extra versions use `options.augmentation`. Returns whether the cache had them.
    public func features(of images: DecodedImageSet, contentHashes: [String], network: any ImageClassifierNetwork,
                         options: CNNTrainingOptions, augmentedCopies: Int) throws -> (features: CachedFeatures, reused: Bool) {
        let augmentation = augmentedCopies > 0 ? options.augmentation : nil
        let versions = augmentation == nil ? 1 : 1 + augmentedCopies
        let file = directory.appendingPathComponent(
            try Self.key(contentHashes: contentHashes, network: network, options: options, augmentation: augmentation,
                         versions: versions) + ".safetensors")
        if FileManager.default.fileExists(atPath: file.path),
           let contents = try? SafeTensors.readContents(from: file), let array = contents.tensors["features"],
           array.shape.count == 2, array.shape[0] == versions * images.count, array.shape[1] == network.featureCount {
            return (CachedFeatures(features: try Tensor(array), labels: images.labels, versions: versions), true)
        }
        let computed = try Self.compute(images, network: network, options: options, augmentation: augmentation,
                                        versions: versions)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError.writeFailed(path: directory.path, reason: error.localizedDescription)
        }
        try SafeTensors.write(["features": NamedArray(computed)], metadata: ["versions": "\(versions)"], to: file)
        return (CachedFeatures(features: computed, labels: images.labels, versions: versions), false)
    }

    /// Runs the body over every version of every image, in batches prepared in the background.
    static func compute(_ images: DecodedImageSet, network: any ImageClassifierNetwork, options: CNNTrainingOptions,
                        augmentation: AugmentationPolicy?, versions: Int) throws -> Tensor {
        network.eval()
        let width = network.featureCount
        var output = Tensor.zeros([versions * images.count, width])
        for version in 0..<versions {
            let loader = ImageBatchLoader(images: images, settings: .init(
                batchSize: options.batchSize, normalization: options.normalization,
                augmentation: version == 0 ? nil : augmentation, shuffle: false, seed: options.seed,
                prefetchCount: options.prefetchCount))
            for result in loader.batches(epoch: version) {
                let batch = try result.get()
                let features = Tensor.withoutGradients { network.features(batch.inputs) }
                features.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        for (slot, index) in batch.indices.enumerated() {
                            let row = version * images.count + index
                            UnsafeMutableBufferPointer(rebasing: destination[(row * width)..<((row + 1) * width)])
                                .update(fromContentsOf: source[(slot * width)..<((slot + 1) * width)])
                        }
                    }
                }
            }
        }
        return output
    }

    /// The hexadecimal SHA-256 naming the cache file.
    static func key(contentHashes: [String], network: any ImageClassifierNetwork, options: CNNTrainingOptions,
                    augmentation: AugmentationPolicy?, versions: Int) throws -> String {
        struct Description: Encodable {
            var blueprint: NetworkBlueprint
            var inputSize: Int
            var normalization: InputNormalization
            /// nil for `.squash`, so that keys made before the policy was an option stay valid.
            var resize: ResizePolicy?
            var augmentation: AugmentationPolicy?
            var seed: UInt64?
            var versions: Int
            var images: [String]
        }
        let description = Description(blueprint: options.blueprint, inputSize: options.inputSize,
                                      normalization: options.normalization,
                                      resize: options.resize == .squash ? nil : options.resize, augmentation: augmentation,
                                      seed: augmentation == nil ? nil : options.seed, versions: versions,
                                      images: contentHashes)
        var hasher = SHA256()
        hasher.update(try JSONFormatting.encode(description))
        for (name, parameter) in network.namedParameters() where !network.isHeadKey(name) {
            hasher.update(Data(name.utf8))
            parameter.value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        for (name, buffer) in network.namedBuffers() {
            hasher.update(Data(name.utf8))
            buffer.value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        return hasher.finalize().hexString
    }
}
