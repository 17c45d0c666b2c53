import NeuralNetworks
import Randomness
import Tensors

/// VGG as torchvision builds it (`VGG(make_layers(cfg, batch_norm))`): `features` (3x3 convolutions,
/// optional batch norm, ReLU, 2x2 max pooling), `avgpool` (adaptive to 7 x 7) and a `classifier`
/// of three linear layers; state-dict keys `features.0.weight`, ..., `classifier.6.bias`.
///
/// The head is `classifier.6`; `features(_:)` is the output of the second hidden layer (after its
/// ReLU and dropout). Exposed feature maps are the ReLU outputs before each max pooling
/// (`features.29` is the last one of VGG16, `features.42` of VGG16-BN).
public final class VGG: ImageClassifierNetwork {
    /// The layer pattern and widths (torchvision's `cfgs` plus the classifier's sizes).
    public struct Configuration: Codable, Equatable, Sendable {
        /// One entry of torchvision's `cfg` list, coded as in Python: a channel count or `"M"`.
        public enum Item: Codable, Equatable, Sendable {
            /// A 3x3 convolution (padding 1) to this many channels, then [batch norm and] ReLU.
            case convolution(Int)
            /// 2x2 max pooling with stride 2 (`"M"`).
            case maxPool

            /// Decodes a channel count or `"M"`.
            public init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let width = try? container.decode(Int.self) {
                    self = .convolution(width)
                } else if (try? container.decode(String.self)) == "M" {
                    self = .maxPool
                } else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "a VGG cfg entry is a channel count or \"M\"")
                }
            }

            /// Encodes a channel count or `"M"`.
            public func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case let .convolution(width): try container.encode(width)
                case .maxPool: try container.encode("M")
                }
            }
        }

        /// torchvision's `cfg`, input side first.
        public var items: [Item]
        /// Whether each convolution is followed by `BatchNorm2d` (the `_bn` variants).
        public var batchNorm: Bool
        /// The width of the classifier's two hidden layers (4096).
        public var hiddenWidth: Int
        /// The classifier's dropout probability (0.5).
        public var dropout: Float
        /// Outputs of the head (1000 for ImageNet).
        public var classCount: Int

        /// A configuration with torchvision's classifier defaults.
        public init(items: [Item], batchNorm: Bool, hiddenWidth: Int = 4096, dropout: Float = 0.5, classCount: Int = 1000) {
            self.items = items
            self.batchNorm = batchNorm
            self.hiddenWidth = hiddenWidth
            self.dropout = dropout
            self.classCount = classCount
        }

        /// torchvision's cfg "D".
        private static let vgg16Items: [Item] = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]
            .map { $0 == 0 ? .maxPool : .convolution($0) }

        /// `torchvision.models.vgg16`.
        public static let vgg16 = Configuration(items: vgg16Items, batchNorm: false)
        /// `torchvision.models.vgg16_bn`.
        public static let vgg16BN = Configuration(items: vgg16Items, batchNorm: true)
    }

    /// torchvision's `classifier`: `0` Linear, `1` ReLU, `2` Dropout, `3` Linear, `4` ReLU,
    /// `5` Dropout, `6` Linear (the head).
    public final class Classifier: Layer {
        /// `classifier.0`, from the pooled 7 x 7 features.
        public let hidden1: Linear
        /// `classifier.2`.
        public let dropout1: Dropout
        /// `classifier.3`.
        public let hidden2: Linear
        /// `classifier.5`.
        public let dropout2: Dropout
        /// `classifier.6`, the head.
        public var output: Linear
        public var isTraining = true

        init(inFeatures: Int, configuration: Configuration, generator: inout SeededGenerator) throws {
            let width = configuration.hiddenWidth
            hidden1 = try Linear(inFeatures: inFeatures, outFeatures: width, generator: &generator)
            dropout1 = try Dropout(rate: configuration.dropout, seed: generator.next())
            hidden2 = try Linear(inFeatures: width, outFeatures: width, generator: &generator)
            dropout2 = try Dropout(rate: configuration.dropout, seed: generator.next())
            output = try Linear(inFeatures: width, outFeatures: configuration.classCount, generator: &generator)
        }

        public var children: [NamedLayer] {
            [("0", hidden1), ("1", ReLU()), ("2", dropout1), ("3", hidden2), ("4", ReLU()), ("5", dropout2), ("6", output)]
        }

        /// The input of the output layer, `[batch, hiddenWidth]`.
        public func hiddenFeatures(_ x: Tensor) -> Tensor {
            dropout2(relu(hidden2(dropout1(relu(hidden1(x))))))
        }

        /// The class scores of the flattened pooled features `x`.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            output(hiddenFeatures(x))
        }
    }

    /// The configuration the network was built from.
    public let configuration: Configuration
    /// torchvision's `features`: convolutions, norms, ReLUs and poolings, named "0", "1", ... as in `make_layers`.
    public let featureLayers: Sequential
    let avgpool: AdaptiveAvgPool2d
    private let flatten = Flatten()
    /// The three linear layers.
    public let classifier: Classifier
    public let featureMapNames: [String]
    public var isTraining = true

    /// A VGG with torchvision's initialization drawn from `seed` (convolutions Kaiming-normal on the
    /// output fan, linear weights normal with std 0.01, biases zero).
    /// - Throws: `ModelZooError.invalidConfiguration` without convolutions or with a non-positive
    ///   width; `LayerError` for an impossible layer size or dropout.
    public init(configuration: Configuration, seed: UInt64) throws {
        let name = "VGG"
        try ModelZooError.check(configuration.items.contains { if case .convolution = $0 { return true }; return false },
                                name, "at least one convolution is needed")
        var generator = SeededGenerator(seed: seed)
        var layers: [any Layer] = []
        var stageEnds: [String] = []
        var channels = 3
        for item in configuration.items {
            switch item {
            case let .convolution(width):
                try ModelZooError.check(width > 0, name, "convolution width \(width) must be positive")
                let convolution = try Conv2d(inChannels: channels, outChannels: width, kernelSize: 3, padding: 1,
                                             generator: &generator)
                TorchvisionInitialization.kaimingNormal(convolution.weight, fan: .output, generator: &generator)
                TorchvisionInitialization.zero(convolution.bias)
                layers.append(convolution)
                if configuration.batchNorm { layers.append(try BatchNorm2d(width)) }
                layers.append(ReLU())
                channels = width
            case .maxPool:
                if !layers.isEmpty { stageEnds.append("features.\(layers.count - 1)") }
                layers.append(try MaxPool2d(kernelSize: 2, stride: 2))
            }
        }
        featureLayers = Sequential(layers)
        avgpool = try AdaptiveAvgPool2d(outputSize: 7)
        classifier = try Classifier(inFeatures: channels * 7 * 7, configuration: configuration, generator: &generator)
        for linear in [classifier.hidden1, classifier.hidden2, classifier.output] {
            TorchvisionInitialization.normal(linear.weight, standardDeviation: 0.01, generator: &generator)
            TorchvisionInitialization.zero(linear.bias)
        }
        featureMapNames = stageEnds
        self.configuration = configuration
    }

    public var children: [NamedLayer] {
        [("features", featureLayers), ("avgpool", avgpool), ("classifier", classifier)]
    }

    public var head: Linear {
        get { classifier.output }
        set { classifier.output = newValue }
    }

    public var headKey: String { "classifier.6" }

    /// The last convolution block (after the second-to-last max pool; `features.24` for VGG-16)
    /// and the classifier's hidden layers: the study's "top blocks" for VGG.
    public var topBlocksStart: String {
        var layerIndex = 0
        var poolLayerIndices: [Int] = []
        for item in configuration.items {
            switch item {
            case .convolution: layerIndex += configuration.batchNorm ? 3 : 2
            case .maxPool:
                poolLayerIndices.append(layerIndex)
                layerIndex += 1
            }
        }
        let start = poolLayerIndices.count >= 2 ? poolLayerIndices[poolLayerIndices.count - 2] + 1 : 0
        return "features.\(start)"
    }

    public func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
        let maps = featureLayers.callAsFunction(x, keyPrefix: "features.", tapping: featureMapNames, with: tap)
        return classifier.hiddenFeatures(flatten(avgpool(maps)))
    }
}
