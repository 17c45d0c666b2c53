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
                    _ = UnsafeMutableBufferPointer(rebasing: destination[(slot * width)..<((slot + 1) * width)])
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
    /// extra versions use `options.augmentation`. Returns how many images' features were computed
    /// (0 when the cache had them all).
    public func features(of images: DecodedImageSet, contentHashes: [String], network: any ImageClassifierNetwork,
                         options: CNNTrainingOptions, augmentedCopies: Int) throws -> (features: CachedFeatures, computed: Int) {
        let augmentation = augmentedCopies > 0 ? options.augmentation : nil
        let versions = augmentation == nil ? 1 : 1 + augmentedCopies
        if versions == 1 {
            return try imageByImage(images, contentHashes: contentHashes, network: network, options: options)
        }
        let file = directory.appendingPathComponent(
            try Self.key(contentHashes: contentHashes, network: network, options: options, augmentation: augmentation,
                         versions: versions) + ".safetensors")
        if FileManager.default.fileExists(atPath: file.path),
           let contents = try? SafeTensors.readContents(from: file), let array = contents.tensors["features"],
           array.shape.count == 2, array.shape[0] == versions * images.count, array.shape[1] == network.featureCount {
            return (CachedFeatures(features: try Tensor(array), labels: images.labels, versions: versions), 0)
        }
        let computed = try Self.compute(images, network: network, options: options, augmentation: augmentation,
                                        versions: versions)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError.writeFailed(path: directory.path, reason: error.localizedDescription)
        }
        try SafeTensors.write(["features": NamedArray(computed)], metadata: ["versions": "\(versions)"], to: file)
        return (CachedFeatures(features: computed, labels: images.labels, versions: versions), images.count)
    }

    /// The features of the images themselves (no augmented copies), one file per image:
    /// `directory/<backbone key>/<content hash>.f32`, `featureCount` little-endian Float32 values.
    /// Another image set on the same backbone (another split, another cross-validation fold)
    /// computes only the images it has not seen.
    private func imageByImage(_ images: DecodedImageSet, contentHashes: [String], network: any ImageClassifierNetwork,
                              options: CNNTrainingOptions) throws -> (features: CachedFeatures, computed: Int) {
        let width = network.featureCount
        let folder = directory.appendingPathComponent(
            try Self.key(contentHashes: [], network: network, options: options, augmentation: nil, versions: 1))
        let files = contentHashes.map { folder.appendingPathComponent($0 + ".f32") }
        var output = Tensor.zeros([images.count, width])
        var missing: [Int] = []
        output.withUnsafeMutableBufferPointer { destination in
            for (index, file) in files.enumerated() {
                guard let data = try? Data(contentsOf: file), data.count == width * MemoryLayout<Float>.size else {
                    missing.append(index)
                    continue
                }
                data.withUnsafeBytes { bytes in
                    for column in 0..<width {
                        destination[index * width + column] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(
                            fromByteOffset: column * 4, as: UInt32.self)))
                    }
                }
            }
        }
        if !missing.isEmpty {
            let computed = try Self.compute(images.subset(missing), network: network, options: options, augmentation: nil, versions: 1)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw AtomicFileError.writeFailed(path: folder.path, reason: error.localizedDescription)
            }
            try computed.withUnsafeBufferPointer { source in
                try output.withUnsafeMutableBufferPointer { destination in
                    for (row, index) in missing.enumerated() {
                        let values = source[(row * width)..<((row + 1) * width)]
                        _ = UnsafeMutableBufferPointer(rebasing: destination[(index * width)..<((index + 1) * width)])
                            .update(fromContentsOf: values)
                        var data = Data(capacity: width * 4)
                        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                        try AtomicFile.write(data, to: files[index])
                    }
                }
            }
        }
        return (CachedFeatures(features: output, labels: images.labels, versions: 1), missing.count)
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
                            _ = UnsafeMutableBufferPointer(rebasing: destination[(row * width)..<((row + 1) * width)])
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
