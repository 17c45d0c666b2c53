import Foundation
import Imaging
import ModelZoo
import Tensors
import ToolkitSupport

/// A trained model that gives class probabilities: what evaluation, prediction and serving need,
/// whatever the model family. A model answers for decoded images; this protocol's extension adds
/// encoded image bytes (a server needs no temporary files) and image files, decoded on a
/// background thread while the model works on the previous batch.
public protocol TrainedImageClassifier {
    /// The run directory the model lives in.
    var directory: RunDirectory { get }
    var configuration: RunConfiguration { get }
    /// The side of the square images `probabilities(of:)` takes: decoded images are resized to
    /// `inputSize` x `inputSize` before they are passed.
    var inputSize: Int { get }
    /// How decoded images become `inputSize` squares: as the model was trained.
    var resizePolicy: ResizePolicy { get }
    /// Class probabilities `[image][class]` (in the run's class order) of images already
    /// `inputSize` square, and each image's feature vector (what the out-of-distribution check
    /// compares: a CNN's pooled backbone features of the image itself, a classical run's
    /// standardized hand-crafted features); `firstPosition` is the position of `images[0]` in the
    /// whole request (it seeds test-time augmentation).
    func outputs(of images: [RGBImage], firstPosition: Int) throws -> (probabilities: [[Double]], features: [[Float]])
    /// Probabilities, features and quality facts for each encoded image, or why it could not be
    /// decoded. The default (below) decodes each image once at `inputSize` by `resizePolicy` and
    /// calls `outputs(of:firstPosition:)`; a model whose parts need images at different sizes (an
    /// ensemble: each member decodes at its own size and policy) implements it itself. Every
    /// caller (`evaluate`, `predict`, calibration, the out-of-distribution check) comes through here.
    func outputs(ofEncoded images: [EncodedImage]) throws -> [Result<ImageOutputs, Error>]
}

/// What a run gives for one image: class probabilities, the feature vector, and the image's
/// quality facts measured before resizing.
public struct ImageOutputs: Sendable {
    public var probabilities: [Double]
    public var features: [Float]
    public var quality: ImageQuality

    public init(probabilities: [Double], features: [Float], quality: ImageQuality) {
        self.probabilities = probabilities
        self.features = features
        self.quality = quality
    }
}

/// An image to classify: a file, or encoded bytes (JPEG or PNG) with a name for messages.
public enum EncodedImage: Sendable {
    case file(URL)
    case bytes(Data, name: String)

    /// The path or name that messages use.
    public var name: String {
        switch self {
        case .file(let url): return url.path
        case .bytes(_, let name): return name
        }
    }

    /// The decoded image resized to `size` x `size` by `policy`, and its quality facts (`stain`
    /// the stained cells' HSV range) measured before resizing.
    /// - Throws: `ImageError` naming the file or name.
    func decoded(size: Int, policy: ResizePolicy, stain: HSVRange) throws -> (image: RGBImage, quality: ImageQuality) {
        let image = switch self {
        case .file(let url): try ImageDecoder.decode(fileAt: url)
        case .bytes(let data, let name): try ImageDecoder.decode(data: data, source: name)
        }
        return (image.resized(toSquare: size, policy: policy), ImageQuality(of: image, stain: stain))
    }
}

extension TrainedImageClassifier {
    /// Images decoded ahead of the model: two batches' worth keeps both cores busy without holding
    /// a whole folder in memory.
    static var decodeChunk: Int { 64 }

    /// Class probabilities of images already `inputSize` square, positions counted from 0.
    public func probabilities(of images: [RGBImage]) throws -> [[Double]] {
        try outputs(of: images, firstPosition: 0).probabilities
    }

    /// Class probabilities for each file, or why it could not be read.
    public func probabilities(forFilesAt urls: [URL]) throws -> [Result<[Double], Error>] {
        try probabilities(ofEncoded: urls.map(EncodedImage.file))
    }

    /// Class probabilities for each encoded image, or why it could not be decoded.
    public func probabilities(ofEncoded images: [EncodedImage]) throws -> [Result<[Double], Error>] {
        try outputs(ofEncoded: images).map { $0.map(\.probabilities) }
    }

    /// Probabilities, features and quality facts for each encoded image, or why it could not be
    /// decoded. Images are decoded and resized on a background thread one chunk ahead of the
    /// model; an image that cannot be decoded does not stop the others.
    /// - Throws: what the model throws (an image that decodes but cannot be classified).
    public func outputs(ofEncoded images: [EncodedImage]) throws -> [Result<ImageOutputs, Error>] {
        let size = inputSize, policy = resizePolicy, stain = configuration.purpleRange
        let chunks = stride(from: 0, to: images.count, by: Self.decodeChunk).map { $0..<min($0 + Self.decodeChunk, images.count) }
        let decoder = Prefetcher(count: chunks.count, ahead: 1, threadName: "leukemia.image-decoder") { chunk in
            chunks[chunk].map { index in Result { try images[index].decoded(size: size, policy: policy, stain: stain) } }
        }
        defer { decoder.cancel() }
        var results: [Result<ImageOutputs, Error>] = []
        results.reserveCapacity(images.count)
        var position = 0
        while let decoded = decoder.next() {
            let readable = decoded.compactMap { try? $0.get() }
            let outputs = try self.outputs(of: readable.map(\.image), firstPosition: position)
            var next = 0
            position += readable.count
            for result in decoded {
                results.append(result.map { decoded in
                    defer { next += 1 }
                    return ImageOutputs(probabilities: outputs.probabilities[next], features: outputs.features[next],
                                        quality: decoded.quality)
                })
            }
        }
        return results
    }
}

/// Opens any run directory this toolkit writes.
public enum TrainedRuns {
    /// Opens the run at `url` as its `config.json`'s model family requires (the directory's files
    /// are read once); `testTimeAugmentation` augmented views of the kind `views` are averaged with
    /// each image (CNN runs, and an ensemble's CNN members), which compute in `precision` (nil: each
    /// run's own).
    /// - Throws: `RunDirectoryError` for a missing, incomplete or incompatible run;
    ///   `CNNTrainingError.testTimeAugmentationUnsupported` for TTA on a classical run (or an
    ///   ensemble without CNN members); `EnsembleError` for an ensemble whose member is missing or changed.
    public static func open(_ url: URL, testTimeAugmentation: Int = 0, views: TestTimeViews = .mirror,
                            precision: ComputePrecision? = nil) throws -> any TrainedImageClassifier {
        let directory = RunDirectory(url)
        let configuration = try directory.loadConfiguration()
        if configuration.model == EnsembleSpecification.modelName {
            return try EnsembleRun.open(directory, configuration: configuration, testTimeAugmentation: testTimeAugmentation, views: views,
                                        precision: precision)
        }
        if Architecture(rawValue: configuration.model) != nil {
            return try CNNRun.open(directory, configuration: configuration, testTimeAugmentation: testTimeAugmentation, views: views,
                                   precision: precision)
        }
        guard testTimeAugmentation == 0 else { throw CNNTrainingError.testTimeAugmentationUnsupported(url.path) }
        if configuration.model == CellAttentionOptions.modelName {
            return try CellAttentionRun.open(directory, configuration: configuration)
        }
        return try ClassicalRun.open(directory, configuration: configuration)
    }
}
