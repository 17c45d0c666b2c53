import Foundation
import Imaging
import ModelZoo
import Tensors
import Datasets

/// Class probabilities from a trained network, optionally averaged over test-time augmented views.
///
/// The forward pass is the network's optimized inference network (`InferenceNetwork`: batch norms
/// folded, activations fused; every architecture of the zoo has one) when the network is of a type
/// the zoo can optimize, else the network itself in evaluation mode; both give the same
/// probabilities to within 1e-4 (`OptimizedInferenceTests`).
/// Images go through in passes of `imagesPerPass`, in `options.precision` (the run's, or what
/// `evaluate`/`predict`/`serve --precision` set).
public struct CNNInference {
    public let network: any ImageClassifierNetwork
    public let options: CNNTrainingOptions
    /// How view 1, 2, ... is made: `views[0]` is view 1 (the unaltered image is view 0).
    let views: [View]
    /// The snapshot of `network` that computes its evaluation-mode logits fast, or nil.
    private let optimized: InferenceNetwork?

    /// Augmented views averaged with the unaltered image (0: none); drawn ones are seeded by the
    /// run's seed, the view and the image's position, so results are reproducible.
    public var testTimeAugmentation: Int { views.count }

    /// One augmented view of an image.
    enum View {
        /// Drawn at random (seeded) from an augmentation.
        case drawn(AugmentationPolicy)
        /// The image moved by a symmetry of the square.
        case oriented(SquareSymmetry)
    }

    /// `network` as trained with `options`, averaging `testTimeAugmentation` views of kind `views`
    /// (at most `views.maximumViews`); with `optimized` false the network's own graph runs in
    /// evaluation mode even where an optimized one exists (the reference in tests and benchmarks).
    public init(network: any ImageClassifierNetwork, options: CNNTrainingOptions, testTimeAugmentation: Int = 0,
                views: TestTimeViews = .mirror, optimized: Bool = true) {
        precondition(testTimeAugmentation <= views.maximumViews, "at most \(views.maximumViews) \(views.rawValue) views")
        self.init(network: network, options: options,
                  views: (0..<testTimeAugmentation).map { views.view($0 + 1, options: options) }, optimized: optimized)
    }

    /// The same with `testTimeAugmentation` views drawn from `viewPolicy`.
    public init(network: any ImageClassifierNetwork, options: CNNTrainingOptions, testTimeAugmentation: Int,
                viewPolicy: AugmentationPolicy, optimized: Bool = true) {
        self.init(network: network, options: options, views: Array(repeating: .drawn(viewPolicy), count: testTimeAugmentation),
                  optimized: optimized)
    }

    private init(network: any ImageClassifierNetwork, options: CNNTrainingOptions, views: [View], optimized: Bool) {
        self.network = network
        self.options = options
        self.views = views
        self.optimized = optimized ? network.inferenceNetworkIfOptimizable() : nil
    }

    /// Input pixels per forward pass: 4 images of 224 x 224. Small passes keep a pass's activations
    /// in the caches; `predict` over 427 ALL test images (EfficientNet-Lite0, 2 cores of an AMD EPYC
    /// Zen 4, whole command) took 2.6 s in passes of 4 images, 2.7–2.9 s of 2 or 8, 3.0 s of 1 or
    /// 16, and 3.9–4.3 s of 32 (the training batch, used before).
    public static let pixelsPerPass = InferenceNetwork.cacheSizedPassPixels

    /// Images per forward pass at this input size (at least 1).
    public var imagesPerPass: Int { max(1, Self.pixelsPerPass / (options.inputSize * options.inputSize)) }

    /// Whether the optimized inference network runs (false: the training graph in evaluation mode).
    public var usesOptimizedNetwork: Bool { optimized != nil }

    /// Softmax probabilities `[image][class]` of `images`, each already `options.inputSize` square;
    /// `firstPosition` is the position of `images[0]` in the whole request, which seeds its views.
    /// - Throws: `ImageError` when an augmented view cannot be made.
    public func probabilities(of images: [RGBImage], firstPosition: Int = 0) throws -> [[Double]] {
        try outputs(of: images, firstPosition: firstPosition).probabilities
    }

    /// The probabilities of `probabilities(of:firstPosition:)` and each image's feature vector
    /// (`[image][featureCount]`: what the head consumes, of the unaltered image), from one pass.
    /// - Throws: `ImageError` when an augmented view cannot be made.
    public func outputs(of images: [RGBImage], firstPosition: Int = 0) throws -> (probabilities: [[Double]], features: [[Float]]) {
        guard !images.isEmpty else { return ([], []) }
        if optimized == nil { network.eval() }
        let classCount = network.classCount
        var sums = [Double](repeating: 0, count: images.count * classCount)
        var features: [[Float]] = []
        for view in 0...testTimeAugmentation {
            for start in stride(from: 0, to: images.count, by: imagesPerPass) {
                let batch = start..<min(start + imagesPerPass, images.count)
                var viewImages = Array(images[batch]), augmentation: AugmentationPolicy?
                switch view == 0 ? nil : views[view - 1] {
                case nil: break
                case .drawn(let policy)?: augmentation = policy
                case .oriented(let symmetry)?: viewImages = viewImages.map { $0.transformed(by: symmetry) }
                }
                let inputs = try ImageBatchLoader.inputTensor(
                    of: viewImages, epoch: view, firstPosition: firstPosition + start,
                    augmentation: augmentation, normalization: options.normalization, seed: options.seed
                ) { "image \(firstPosition + start + $0)" }
                let (probabilities, vectors) = ComputePrecision.$current.withValue(options.precision) {
                    Tensor.withoutGradients {
                        let vectors = optimized?.features(inputs) ?? network.features(inputs)
                        return (softmax(optimized?.logits(ofFeatures: vectors) ?? network.head(vectors)), vectors)
                    }
                }
                if view == 0 {
                    let width = vectors.shape[1]
                    vectors.withUnsafeBufferPointer { v in
                        for slot in 0..<batch.count { features.append(Array(v[(slot * width)..<((slot + 1) * width)])) }
                    }
                }
                probabilities.withUnsafeBufferPointer { p in
                    for slot in 0..<batch.count {
                        for c in 0..<classCount { sums[(start + slot) * classCount + c] += Double(p[slot * classCount + c]) }
                    }
                }
            }
        }
        let views = Double(testTimeAugmentation + 1)
        return (images.indices.map { index in (0..<classCount).map { sums[index * classCount + $0] / views } }, features)
    }
}
