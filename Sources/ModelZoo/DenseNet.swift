import NeuralNetworks
import Randomness
import Tensors

/// DenseNet-BC as torchvision builds it: `features` (`conv0`, `norm0`, `relu0`, `pool0`, then
/// `denseblock1`, `transition1`, ..., `denseblock4`, `norm5`) and a linear `classifier` (the head)
/// on the globally average-pooled ReLU of `norm5`; keys `features.denseblock1.denselayer1.norm1.weight`, ...
///
/// torchvision's published checkpoints use the old key form `...denselayer1.norm.1.weight`; rename
/// them with `StateDictKeyRenames.torchvisionDenseNet` before loading. Exposed feature maps:
/// `features.denseblock1` ... `features.denseblock4` and `features.norm5` (before the final ReLU).
public final class DenseNet: ImageClassifierNetwork {
    /// torchvision's constructor arguments.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Channels each dense layer adds (`growth_rate`, k).
        public var growthRate: Int
        /// Dense layers per block (`block_config`).
        public var blockLayerCounts: [Int]
        /// Channels of the first convolution (`num_init_features`).
        public var initialFeatures: Int
        /// Bottleneck width as a multiple of the growth rate (`bn_size`).
        public var bottleneckFactor: Int
        /// Dropout after each dense layer (`drop_rate`).
        public var dropRate: Float
        /// Outputs of the head (1000 for ImageNet).
        public var classCount: Int

        /// torchvision's arguments (bn_size 4 and drop_rate 0 by default).
        public init(growthRate: Int, blockLayerCounts: [Int], initialFeatures: Int, bottleneckFactor: Int = 4,
                    dropRate: Float = 0, classCount: Int = 1000) {
            self.growthRate = growthRate
            self.blockLayerCounts = blockLayerCounts
            self.initialFeatures = initialFeatures
            self.bottleneckFactor = bottleneckFactor
            self.dropRate = dropRate
            self.classCount = classCount
        }

        /// `torchvision.models.densenet121`.
        public static let densenet121 = Configuration(growthRate: 32, blockLayerCounts: [6, 12, 24, 16], initialFeatures: 64)
        /// `torchvision.models.densenet169`.
        public static let densenet169 = Configuration(growthRate: 32, blockLayerCounts: [6, 12, 32, 32], initialFeatures: 64)
        /// `torchvision.models.densenet201`.
        public static let densenet201 = Configuration(growthRate: 32, blockLayerCounts: [6, 12, 48, 32], initialFeatures: 64)
    }

    /// torchvision's `_DenseLayer`: BN-ReLU-1x1 conv (bottleneck) then BN-ReLU-3x3 conv to
    /// `growthRate` new channels, computed from the concatenation of all earlier outputs.
    public final class DenseLayer: Layer {
        /// The bottleneck (`norm1`, `conv1`) and the growth convolution (`norm2`, `conv2`).
        public let norm1: BatchNorm2d, conv1: Conv2d, norm2: BatchNorm2d, conv2: Conv2d
        /// Dropout of the new channels in training mode.
        public let dropRate: Float
        private var dropoutGenerator: SeededGenerator
        public var isTraining = true

        init(inputFeatures: Int, configuration: Configuration, generator: inout SeededGenerator) throws {
            let bottleneck = configuration.bottleneckFactor * configuration.growthRate
            norm1 = try BatchNorm2d(inputFeatures)
            conv1 = try Conv2d(inChannels: inputFeatures, outChannels: bottleneck, kernelSize: 1, bias: false, generator: &generator)
            norm2 = try BatchNorm2d(bottleneck)
            conv2 = try Conv2d(inChannels: bottleneck, outChannels: configuration.growthRate, kernelSize: 3, padding: 1,
                               bias: false, generator: &generator)
            dropRate = configuration.dropRate
            dropoutGenerator = SeededGenerator(seed: generator.next())
        }

        public var children: [NamedLayer] {
            [("norm1", norm1), ("relu1", ReLU()), ("conv1", conv1), ("norm2", norm2), ("relu2", ReLU()), ("conv2", conv2)]
        }

        /// `x [batch, height, width, inputFeatures]` (the concatenated earlier outputs) ->
        /// `[batch, height, width, growthRate]`.
        public func callAsFunction(_ x: Tensor) -> Tensor { self(concatenating: [x]) }

        /// The same for `x`, the concatenation of `features` along the channels (the block input and
        /// the earlier layers' outputs), which `norm1` reads in place instead of a copy: from the
        /// leading channels of `buffer` where they are stored there (in training with the batch
        /// statistics kept in `bufferStatistics`), else from the parts. Each normalization and the
        /// convolution after it are one operation (`Conv2d.callAsFunction(normalizing:with:activation:storedIn:bufferStatistics:)`).
        public func callAsFunction(concatenating features: [Tensor], storedIn buffer: Tensor? = nil,
                                   bufferStatistics: ChannelBufferStatistics? = nil) -> Tensor {
            let bottleneck = conv1(normalizing: features, with: norm1, activation: .relu, storedIn: buffer,
                                   bufferStatistics: bufferStatistics)
            let newFeatures = conv2(normalizing: [bottleneck], with: norm2, activation: .relu)
            guard dropRate > 0 else { return newFeatures }
            return dropout(newFeatures, rate: dropRate, isTraining: isTraining, generator: &dropoutGenerator)
        }
    }

    /// torchvision's `_DenseBlock`: `denselayer1`, `denselayer2`, ...; the output concatenates the
    /// input and every layer's new channels.
    public final class DenseBlock: Layer {
        /// `denselayer1`, `denselayer2`, ...
        public let layers: [DenseLayer]
        public var isTraining = true

        init(layerCount: Int, inputFeatures: Int, configuration: Configuration, generator: inout SeededGenerator) throws {
            layers = try (0..<layerCount).map {
                try DenseLayer(inputFeatures: inputFeatures + $0 * configuration.growthRate, configuration: configuration,
                               generator: &generator)
            }
        }

        public var children: [NamedLayer] {
            layers.enumerated().map { ("denselayer\($0.offset + 1)", $0.element) }
        }

        /// `x [batch, height, width, c]` -> `[batch, height, width, c + layers · growthRate]`. Each
        /// layer's output is also appended to the block's channel buffer, which the next layers'
        /// `norm1` read their input from (in training with the batch statistics of its channels
        /// computed once, `ChannelBufferStatistics`).
        public func callAsFunction(_ x: Tensor) -> Tensor {
            let growth = layers.map { $0.conv2.weight.value.shape[0] }.reduce(0, +)
            var buffer = DenseFeatureBuffer(input: x, channels: x.shape[3] + growth)
            let bufferStatistics = ChannelBufferStatistics(buffer: buffer.features)
            var features = [x]
            for layer in layers {
                let newFeatures = layer(concatenating: features, storedIn: buffer.features, bufferStatistics: bufferStatistics)
                features.append(newFeatures)
                buffer.append(newFeatures)
            }
            return Tensor(concatenating: features, alongAxis: 3)
        }
    }

    /// torchvision's `_Transition`: `norm`, `relu`, 1x1 `conv` (halving the channels), 2x2 average `pool`.
    public final class Transition: Layer {
        /// The normalization and the channel-halving convolution.
        public let norm: BatchNorm2d, conv: Conv2d
        private let pool: AvgPool2d
        public var isTraining = true

        init(inputFeatures: Int, outputFeatures: Int, generator: inout SeededGenerator) throws {
            norm = try BatchNorm2d(inputFeatures)
            conv = try Conv2d(inChannels: inputFeatures, outChannels: outputFeatures, kernelSize: 1, bias: false,
                              generator: &generator)
            pool = try AvgPool2d(kernelSize: 2, stride: 2)
        }

        public var children: [NamedLayer] {
            [("norm", norm), ("relu", ReLU()), ("conv", conv), ("pool", pool)]
        }

        /// `x [batch, h, w, c]` -> `[batch, h / 2, w / 2, c / 2]`.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            pool(conv(normalizing: [x], with: norm, activation: .relu))
        }
    }

    /// The configuration the network was built from.
    public let configuration: Configuration
    /// torchvision's `features`: `conv0` ... `norm5`.
    public let featureLayers: Sequential
    /// The head.
    public var classifier: Linear
    public let featureMapNames: [String]
    public var isTraining = true

    /// A DenseNet with torchvision's initialization drawn from `seed` (convolutions Kaiming-normal
    /// on the input fan, classifier bias zero).
    /// - Throws: `ModelZooError.invalidConfiguration` for no blocks or a non-positive size;
    ///   `LayerError` for an impossible layer.
    public init(configuration: Configuration, seed: UInt64) throws {
        let name = "DenseNet"
        try ModelZooError.check(!configuration.blockLayerCounts.isEmpty, name, "block_config must not be empty")
        try ModelZooError.check(configuration.blockLayerCounts.allSatisfy { $0 > 0 }, name,
                                "every block needs at least one layer, got \(configuration.blockLayerCounts)")
        try ModelZooError.check(configuration.growthRate > 0 && configuration.initialFeatures > 0
                                    && configuration.bottleneckFactor > 0, name,
                                "growth rate, initial features and bn_size must be positive")
        var generator = SeededGenerator(seed: seed)
        var layers: [(String, any Layer)] = [
            ("conv0", try Conv2d(inChannels: 3, outChannels: configuration.initialFeatures, kernelSize: 7, stride: 2,
                                 padding: 3, bias: false, generator: &generator)),
            ("norm0", try BatchNorm2d(configuration.initialFeatures)),
            ("relu0", ReLU()),
            ("pool0", try MaxPool2d(kernelSize: 3, stride: 2, padding: 1)),
        ]
        var mapNames: [String] = []
        var channels = configuration.initialFeatures
        for (index, layerCount) in configuration.blockLayerCounts.enumerated() {
            layers.append(("denseblock\(index + 1)", try DenseBlock(layerCount: layerCount, inputFeatures: channels,
                                                                     configuration: configuration, generator: &generator)))
            mapNames.append("features.denseblock\(index + 1)")
            channels += layerCount * configuration.growthRate
            if index != configuration.blockLayerCounts.count - 1 {
                layers.append(("transition\(index + 1)", try Transition(inputFeatures: channels, outputFeatures: channels / 2,
                                                                         generator: &generator)))
                channels /= 2
            }
        }
        layers.append(("norm5", try BatchNorm2d(channels)))
        mapNames.append("features.norm5")
        featureLayers = try Sequential(named: layers)
        classifier = try Linear(inFeatures: channels, outFeatures: configuration.classCount, generator: &generator)
        TorchvisionInitialization.zero(classifier.bias)
        for (_, layer) in featureLayers.namedLayers() {
            if let convolution = layer as? Conv2d {
                TorchvisionInitialization.kaimingNormal(convolution.weight, fan: .input, generator: &generator)
            }
        }
        featureMapNames = mapNames
        self.configuration = configuration
    }

    public var children: [NamedLayer] {
        [("features", featureLayers), ("classifier", classifier)]
    }

    public var head: Linear {
        get { classifier }
        set { classifier = newValue }
    }

    public var headKey: String { "classifier" }

    /// `features.denseblock<last>.denselayer4` on (the whole last block if it is shorter) and the
    /// final norm. The study fine-tuned Keras' DenseNet-201 from its 501st layer on; Keras numbers
    /// that network's layers as 7 stem layers, 7 per dense layer and 4 per transition, so layer 501
    /// is the concatenation closing the third dense layer of the last block (`conv5_block3_concat`).
    public var topBlocksStart: String {
        let lastBlock = configuration.blockLayerCounts.count
        let firstLayer = configuration.blockLayerCounts[lastBlock - 1] >= 4 ? 4 : 1
        return "features.denseblock\(lastBlock).denselayer\(firstLayer)"
    }

    /// Dropout (`dropRate > 0`) draws from the layers' own generators.
    public var hasUnreseedableRandomness: Bool { configuration.dropRate > 0 }

    public func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
        let maps = featureLayers.callAsFunction(x, keyPrefix: "features.", tapping: featureMapNames, with: tap)
        return globalAvgPool2d(relu(maps))
    }
}
