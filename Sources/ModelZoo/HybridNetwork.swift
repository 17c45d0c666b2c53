import NeuralNetworks
import Randomness
import Tensors

/// The study's proposed hybrid network: a U-Net branch on the purple-masked image and a
/// pretrained backbone, whose features are concatenated and classified by a dense head.
///
/// For a NORMALIZED input `x [batch, imageSize, imageSize, 3]` (as the backbone expects it):
///
/// - `configuration.purpleMask` de-normalizes `x` and computes the 0/1 HSV mask; the U-Net sees
///   `mask · pixel / 255` (the image's RGB on 0...1 where purple, 0 elsewhere; see
///   `PurpleMask.maskedPixels`). No gradient flows through the mask's thresholds.
/// - `unet` (`UNetBranch`) gives its stage `conv<flattenedStage>`, pooled as configured and
///   flattened (the study: conv5, 56 x 56 x 128 = 401,408 features, no pooling).
/// - `backbone` gives `features(_:)`: the globally pooled feature vector for DenseNet, ConvNeXt
///   and EfficientNet-Lite (for VGG, the output of its second hidden layer). Its own head is unused.
/// - `[unet features, backbone features]` (concatenated in that order) go through `denseHead`
///   (the study: Dense 512, 256, 128, each ReLU, L2 0.01, batch norm, dropout 0.7) and its
///   `output` linear layer to the class scores.
///
/// The faithful configuration is heavy: its first dense layer maps 401,408 + F backbone features
/// to 512, i.e. (401,408 + F) · 512 weights: 206.0 M (824 MB of Float32) for DenseNet-121's
/// F = 1024, of the 208.4 M parameters outside the backbone; training it with Adam holds weight,
/// gradient and two moments, 3.3 GB for that layer alone. The `UNetBranch.Configuration.light`
/// variant (`flattenPooling`, narrower widths, dead stages skipped) trains on a CPU.
///
/// The L2 regularization is a loss term, not part of the forward pass: add
/// `regularizationPenalty()` (`l2 · Σ w²` over `regularizedParameters`) to the training loss.
///
/// The network is an `ImageClassifierNetwork`: `head` is `denseHead.output` (key `head.output`),
/// `features(_:tap:)` is the input of that layer, and `featureMapNames` are the live U-Net stages
/// (`unet.conv1` ... `unet.conv5`) followed by the backbone's maps prefixed with `backbone.`.
///
/// State-dict keys (PyTorch-like):
/// - `backbone.<backbone key>`, e.g. `backbone.features.conv0.weight` for DenseNet. The backbone's
///   head (`backbone.<backbone headKey>`) stays so that its pretrained checkpoints load unchanged
///   (`backbone.loadStateDict(_:)`), but it is frozen at construction and unused.
/// - `unet.conv<k>.0.weight`, `unet.conv<k>.0.bias`, `unet.conv<k>.2.weight`, `unet.conv<k>.2.bias`,
///   `unet.up<k>.weight`, `unet.up<k>.bias` (see `UNetBranch`).
/// - `head.dense<i>.weight`, `head.dense<i>.bias`, `head.norm<i>.weight`, `head.norm<i>.running_mean`,
///   ..., `head.output.weight`, `head.output.bias` (see `DenseHead`).
public final class HybridNetwork: ImageClassifierNetwork {
    /// Everything that defines the hybrid except its backbone.
    public struct Configuration: Codable, Equatable, Sendable {
        /// The de-normalization and HSV thresholds of the mask.
        public var purpleMask: PurpleMask
        /// The side of the square input images (224 in the study).
        public var imageSize: Int
        public var unet: UNetBranch.Configuration
        public var denseHead: DenseHead.Configuration

        private enum CodingKeys: String, CodingKey {
            case purpleMask = "purple_mask", imageSize = "image_size", unet, denseHead = "dense_head"
        }

        public init(purpleMask: PurpleMask, imageSize: Int, unet: UNetBranch.Configuration,
                    denseHead: DenseHead.Configuration) {
            self.purpleMask = purpleMask
            self.imageSize = imageSize
            self.unet = unet
            self.denseHead = denseHead
        }

        /// The study's network on 224 x 224 inputs normalized by `normalization` (input =
        /// pixel · scale + offset per channel, pixel on 0...255), with the study's HSV thresholds.
        public static func study(normalization: [PurpleMask.ChannelAffine]) -> Configuration {
            Configuration(purpleMask: PurpleMask(normalization: normalization), imageSize: 224, unet: .study,
                          denseHead: .study)
        }

        /// The study's mask and head on the CPU-trainable `UNetBranch.Configuration.light` (its first
        /// dense layer takes 3,136 + F features instead of 401,408 + F): 2.83 M parameters outside a
        /// DenseNet-121 backbone instead of 208.4 M.
        public static func light(normalization: [PurpleMask.ChannelAffine]) -> Configuration {
            var configuration = study(normalization: normalization)
            configuration.unet = .light
            return configuration
        }
    }

    /// Which U-Net the hybrid uses (`--hybrid-variant`).
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// The study's: conv5 flattened without pooling (401,408 features at 224, about 206 M
        /// weights in the first dense layer).
        case study
        /// Half the widths, conv5 average-pooled 8 x 8 (3,136 features): trainable on a CPU.
        case light

        /// The hybrid of this variant on inputs normalized by `normalization`.
        public func configuration(normalization: [PurpleMask.ChannelAffine]) -> Configuration {
            self == .study ? .study(normalization: normalization) : .light(normalization: normalization)
        }
    }

    public let configuration: Configuration
    /// The pretrained network whose `features(_:)` is the second branch.
    public let backbone: any ImageClassifierNetwork
    /// The U-Net branch (key `unet`).
    public let unet: UNetBranch
    /// The dense classifier (key `head`), including the final `output` layer.
    public let denseHead: DenseHead
    public let featureMapNames: [String]
    public var isTraining = true

    /// A hybrid on `backbone` (kept as given, its head frozen) with new U-Net and head weights
    /// drawn from `seed` with Keras' initialization (Glorot-uniform weights, zero biases).
    /// - Throws: `ModelZooError.invalidConfiguration` for an invalid mask, U-Net or head
    ///   configuration; `LayerError` for an impossible layer.
    public init(configuration: Configuration, backbone: any ImageClassifierNetwork, seed: UInt64) throws {
        try configuration.purpleMask.validate()
        var generator = SeededGenerator(seed: seed)
        unet = try UNetBranch(configuration: configuration.unet, imageSize: configuration.imageSize, generator: &generator)
        denseHead = try DenseHead(inFeatures: unet.flattenedFeatureCount + backbone.featureCount,
                                  configuration: configuration.denseHead, generator: &generator)
        try backbone.freeze(prefix: backbone.headKey)
        self.backbone = backbone
        self.configuration = configuration
        featureMapNames = unet.liveStageNames.map { "unet." + $0 } + backbone.featureMapNames.map { "backbone." + $0 }
    }

    public var children: [(name: String, layer: any Layer)] {
        [("backbone", backbone), ("unet", unet), ("head", denseHead)]
    }

    public var head: Linear {
        get { denseHead.output }
        set { denseHead.output = newValue }
    }

    public var headKey: String { "head.output" }

    /// The two branches' feature vectors for the normalized input `x`: the U-Net's flattened
    /// stage `[batch, unet.flattenedFeatureCount]` and the backbone's `[batch, backbone.featureCount]`.
    /// `tap` sees the U-Net's live stages as `unet.conv<k>` and the backbone's maps as `backbone.<name>`.
    /// Stops with a message naming the shape unless `x` is `[batch, imageSize, imageSize, 3]`.
    public func branchFeatures(_ x: Tensor, tap: FeatureMapTap) -> (unet: Tensor, backbone: Tensor) {
        checkInput(x)
        let pixels = configuration.purpleMask.maskedPixels(x)
        let unetFeatures = unet.flattenedFeatures(pixels) { tap("unet." + $0, $1) }
        let backboneFeatures = backbone.features(x) { tap("backbone." + $0, $1) }
        return (unetFeatures, backboneFeatures)
    }

    /// Stops with a message naming the shape unless `x` is `[batch, imageSize, imageSize, 3]`.
    func checkInput(_ x: Tensor) {
        let size = configuration.imageSize
        guard x.rank == 4, x.shape[1] == size, x.shape[2] == size, x.shape[3] == 3 else {
            Tensor.fail(.invalidShape(operation: "HybridNetwork", shape: x.shape, expected: "[batch, \(size), \(size), 3]"))
        }
    }

    /// The input of `head`, `[batch, lastHiddenWidth]`: the dense head's hidden layers on the
    /// concatenated branch features.
    public func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
        let branches = branchFeatures(x, tap: tap)
        return denseHead.hiddenFeatures(Tensor(concatenating: [branches.unet, branches.backbone], alongAxis: 1))
    }

    /// The weights under the study's L2 regularization (the dense head's hidden layers).
    public var regularizedParameters: [Parameter] { denseHead.regularizedParameters }

    /// The coefficient to give `l2Penalty(_:coefficient:)` (which computes `coefficient / 2 · Σ w²`)
    /// for Keras' `l2(l2)` penalty `l2 · Σ w²`: twice the l2 factor.
    public var l2PenaltyCoefficient: Float { 2 * configuration.denseHead.l2 }

    /// The study's regularization term to add to the loss: `l2 · Σ w²` over `regularizedParameters`
    /// (frozen ones excluded).
    public func regularizationPenalty() -> Tensor? {
        l2Penalty(regularizedParameters, coefficient: l2PenaltyCoefficient)
    }

    /// The backbone's top blocks (`backbone.` + the backbone's start), then the U-Net and head.
    public var topBlocksStart: String { "backbone." + backbone.topBlocksStart }
    /// With the backbone frozen, the U-Net branch and the dense head train (on images: the U-Net
    /// needs them, so features cannot be cached).
    public var trainedWhenBodyIsFrozen: [String] { ["unet", "head"] }
    /// The backbone's own classifier is not part of the forward pass.
    public var unusedParameterPrefixes: [String] { ["backbone." + backbone.headKey] }
    /// Pretrained weights are the backbone's.
    public var pretrainedBody: any ImageClassifierNetwork { backbone }
    public var hasUnreseedableRandomness: Bool { backbone.hasUnreseedableRandomness }
}

extension HybridNetwork {
    /// Keras' `glorot_uniform`: uniform on ±√(6 / (fanIn + fanOut)).
    static func glorotUniform(_ shape: [Int], fanIn: Int, fanOut: Int, generator: inout SeededGenerator) -> Tensor {
        let limit = glorotLimit(fanIn: fanIn, fanOut: fanOut)
        return Tensor.randomUniform(shape, lowerBound: -limit, upperBound: limit, generator: &generator)
    }

    /// Turns a weight drawn with PyTorch's default initialization (uniform on ±1/√fanIn, as the
    /// `Conv2d` and `Linear` initializers draw it) into a Glorot-uniform one by scaling, which is
    /// exact for uniform samples and much cheaper than a second draw of 205 M weights.
    static func rescaleDefaultToGlorot(_ weight: Parameter, fanIn: Int, fanOut: Int) {
        let factor = glorotLimit(fanIn: fanIn, fanOut: fanOut) * Float(fanIn).squareRoot()
        Tensor.withoutGradients { weight.value = weight.value * factor }
    }

    private static func glorotLimit(fanIn: Int, fanOut: Int) -> Float {
        (6 / Float(fanIn + fanOut)).squareRoot()
    }

    /// A Keras `Dense(outFeatures)` as a `Linear`: Glorot-uniform weight, zero bias.
    static func kerasDense(_ inFeatures: Int, _ outFeatures: Int, generator: inout SeededGenerator) throws -> Linear {
        let layer = try Linear(inFeatures: inFeatures, outFeatures: outFeatures, generator: &generator)
        rescaleDefaultToGlorot(layer.weight, fanIn: inFeatures, fanOut: outFeatures)
        layer.bias?.value = Tensor.zeros([outFeatures])
        return layer
    }
}
