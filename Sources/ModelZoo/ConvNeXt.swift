import NeuralNetworks
import Randomness
import Tensors

/// ConvNeXt as torchvision builds it: `features` = `0` stem (4x4 stride-4 convolution and
/// LayerNorm), then for each stage a `Sequential` of blocks followed, except after the last, by
/// a downsampling `Sequential` (LayerNorm, 2x2 stride-2 convolution); `avgpool`; `classifier` =
/// `0` LayerNorm, `1` Flatten, `2` Linear (the head). Keys `features.1.0.block.0.weight`,
/// `features.1.0.layer_scale`, `classifier.2.bias`, ...
///
/// Channels-last LayerNorm (torchvision's `LayerNorm2d`) normalizes each pixel over its channels,
/// which on NHWC activations is a plain LayerNorm over the last axis (epsilon 1e-6 everywhere).
/// In training mode each block's residual branch is dropped per sample with a probability that
/// grows linearly from 0 to `stochasticDepthProbability` over the blocks. Exposed feature maps:
/// the output of every stage of blocks (`features.1`, `features.3`, `features.5`, `features.7`).
public final class ConvNeXt: ImageClassifierNetwork {
    /// torchvision's `block_setting`, stochastic depth and layer scale.
    public struct Configuration: Codable, Equatable, Sendable {
        /// torchvision's `CNBlockConfig`.
        public struct Stage: Codable, Equatable, Sendable {
            /// Channels of the stage's blocks.
            public var inputChannels: Int
            /// Channels after the downsampling that follows the stage; nil for the last stage.
            public var outputChannels: Int?
            /// Blocks in the stage.
            public var blockCount: Int

            /// torchvision's `CNBlockConfig(input_channels, out_channels, num_layers)`.
            public init(inputChannels: Int, outputChannels: Int?, blockCount: Int) {
                self.inputChannels = inputChannels
                self.outputChannels = outputChannels
                self.blockCount = blockCount
            }
        }

        /// torchvision's `block_setting`.
        public var stages: [Stage]
        /// The largest per-block drop probability (the last block's).
        public var stochasticDepthProbability: Float
        /// The initial value of every `layer_scale` (1e-6).
        public var layerScale: Float
        /// Outputs of the head (1000 for ImageNet).
        public var classCount: Int

        /// torchvision's arguments.
        public init(stages: [Stage], stochasticDepthProbability: Float, layerScale: Float = 1e-6, classCount: Int = 1000) {
            self.stages = stages
            self.stochasticDepthProbability = stochasticDepthProbability
            self.layerScale = layerScale
            self.classCount = classCount
        }

        private static func stages(_ widths: [Int], _ blockCounts: [Int]) -> [Stage] {
            widths.indices.map {
                Stage(inputChannels: widths[$0], outputChannels: $0 + 1 < widths.count ? widths[$0 + 1] : nil,
                      blockCount: blockCounts[$0])
            }
        }

        /// `torchvision.models.convnext_tiny` (stochastic depth 0.1).
        public static let convnextTiny = Configuration(stages: stages([96, 192, 384, 768], [3, 3, 9, 3]),
                                                       stochasticDepthProbability: 0.1)
        /// `torchvision.models.convnext_small` (stochastic depth 0.4).
        public static let convnextSmall = Configuration(stages: stages([96, 192, 384, 768], [3, 3, 27, 3]),
                                                        stochasticDepthProbability: 0.4)
        /// `torchvision.models.convnext_base` (stochastic depth 0.5).
        public static let convnextBase = Configuration(stages: stages([128, 256, 512, 1024], [3, 3, 27, 3]),
                                                       stochasticDepthProbability: 0.5)
    }

    /// torchvision's `CNBlock`: `block` = `0` depthwise 7x7 convolution, `2` LayerNorm, `3` Linear
    /// to 4x the channels, `4` GELU, `5` Linear back (`1` and `6` are NCHW/NHWC permutations, not
    /// needed on NHWC activations); the branch is scaled per channel by `layer_scale [dim, 1, 1]`,
    /// passed through `stochastic_depth` and added to the input.
    public final class Block: Layer {
        /// `block.0`, `block.2`, `block.3` and `block.5`.
        public let depthwise: Conv2d, norm: LayerNorm, expand: Linear, project: Linear
        /// `layer_scale`, `[channels, 1, 1]` as in torchvision.
        public let layerScale: Parameter
        /// `stochastic_depth` (row mode).
        public let stochasticDepth: StochasticDepth
        /// The branch's layers under torchvision's names (`block.0` ... `block.5`); the forward pass runs
        /// them itself, the two linear layers and the GELU as one `Linear.geluMLP`.
        private let branch: Sequential
        public var isTraining = true

        init(channels: Int, layerScale: Float, stochasticDepthProbability: Float, generator: inout SeededGenerator) throws {
            depthwise = try Conv2d(inChannels: channels, outChannels: channels, kernelSize: 7, padding: 3, groups: channels,
                                   generator: &generator)
            norm = try LayerNorm(channels, epsilon: 1e-6)
            expand = try Linear(inFeatures: channels, outFeatures: 4 * channels, generator: &generator)
            project = try Linear(inFeatures: 4 * channels, outFeatures: channels, generator: &generator)
            self.layerScale = Parameter(Tensor.filled([channels, 1, 1], with: layerScale), name: "layer_scale")
            stochasticDepth = try StochasticDepth(probability: stochasticDepthProbability, mode: .row, seed: generator.next())
            branch = try Sequential(named: [("0", depthwise), ("2", norm), ("3", expand), ("4", GELU()), ("5", project)])
        }

        public var localParameters: [NamedParameter] { [("layer_scale", layerScale)] }

        public var children: [NamedLayer] {
            [("block", branch), ("stochastic_depth", stochasticDepth)]
        }

        /// `x [batch, height, width, channels]` -> the same shape.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            let channels = layerScale.value.shape[0]
            let mlp = Linear.geluMLP(norm(depthwise(x)), expand: expand, project: project)
            return scaledResidualAdd(x, branch: mlp, channelScale: layerScale.value.reshaped(to: [channels]),
                                     sampleScales: stochasticDepth.sampleScales(batch: x.shape[0]))
        }
    }

    /// torchvision's `classifier`: `0` LayerNorm, `1` Flatten (nothing to do on pooled vectors),
    /// `2` Linear (the head).
    public final class Classifier: Layer {
        /// `classifier.0`.
        public let norm: LayerNorm
        /// `classifier.2`, the head.
        public var output: Linear
        public var isTraining = true

        init(channels: Int, classCount: Int, generator: inout SeededGenerator) throws {
            norm = try LayerNorm(channels, epsilon: 1e-6)
            output = try Linear(inFeatures: channels, outFeatures: classCount, generator: &generator)
        }

        public var children: [NamedLayer] { [("0", norm), ("2", output)] }

        /// `pooled [batch, channels]` -> `[batch, classCount]`.
        public func callAsFunction(_ pooled: Tensor) -> Tensor { output(norm(pooled)) }
    }

    /// The configuration the network was built from.
    public let configuration: Configuration
    /// torchvision's `features`: stem, stages and downsamplings, named "0", "1", ...
    public let featureLayers: Sequential
    /// Norm and head.
    public let classifier: Classifier
    public let featureMapNames: [String]
    public var isTraining = true

    /// A ConvNeXt with torchvision's initialization drawn from `seed` (convolution and linear
    /// weights truncated-normal with std 0.02, biases zero, layer scales `layerScale`).
    /// - Throws: `ModelZooError.invalidConfiguration` for no stages, a stage without blocks,
    ///   mismatched stage widths, or a probability outside [0, 1]; `LayerError` for an impossible layer.
    public init(configuration: Configuration, seed: UInt64) throws {
        let name = "ConvNeXt"
        let stages = configuration.stages
        try ModelZooError.check(!stages.isEmpty, name, "block_setting must not be empty")
        try ModelZooError.check(stages.allSatisfy { $0.blockCount > 0 }, name, "every stage needs at least one block")
        for (stage, next) in zip(stages, stages.dropFirst()) {
            try ModelZooError.check(stage.outputChannels == next.inputChannels, name,
                                    "a stage's output channels \(stage.outputChannels.map(String.init) ?? "nil") must equal the next stage's input channels \(next.inputChannels)")
        }
        try ModelZooError.check((0...1).contains(configuration.stochasticDepthProbability), name,
                                "stochastic depth probability \(configuration.stochasticDepthProbability) must be in [0, 1]")
        var generator = SeededGenerator(seed: seed)
        var layers: [any Layer] = [
            Sequential(try Conv2d(inChannels: 3, outChannels: stages[0].inputChannels, kernelSize: 4, stride: 4,
                                  generator: &generator),
                       try LayerNorm(stages[0].inputChannels, epsilon: 1e-6)),
        ]
        var mapNames: [String] = []
        let totalBlocks = stages.reduce(0) { $0 + $1.blockCount }
        var blockIndex = 0
        for stage in stages {
            var blocks: [any Layer] = []
            for _ in 0..<stage.blockCount {
                // torchvision: p · index / (total − 1), which is NaN for a single block (0/0); one block gets 0.
                let probability = totalBlocks > 1
                    ? configuration.stochasticDepthProbability * Float(blockIndex) / Float(totalBlocks - 1) : 0
                blocks.append(try Block(channels: stage.inputChannels, layerScale: configuration.layerScale,
                                        stochasticDepthProbability: probability, generator: &generator))
                blockIndex += 1
            }
            mapNames.append("features.\(layers.count)")
            layers.append(Sequential(blocks))
            if let outputChannels = stage.outputChannels {
                layers.append(Sequential(try LayerNorm(stage.inputChannels, epsilon: 1e-6),
                                         try Conv2d(inChannels: stage.inputChannels, outChannels: outputChannels,
                                                    kernelSize: 2, stride: 2, generator: &generator)))
            }
        }
        featureLayers = Sequential(layers)
        let lastChannels = stages[stages.count - 1].outputChannels ?? stages[stages.count - 1].inputChannels
        classifier = try Classifier(channels: lastChannels, classCount: configuration.classCount, generator: &generator)
        featureMapNames = mapNames
        self.configuration = configuration
        for (_, layer) in namedLayers() {
            if let convolution = layer as? Conv2d {
                TorchvisionInitialization.truncatedNormal(convolution.weight, standardDeviation: 0.02, generator: &generator)
                TorchvisionInitialization.zero(convolution.bias)
            } else if let linear = layer as? Linear {
                TorchvisionInitialization.truncatedNormal(linear.weight, standardDeviation: 0.02, generator: &generator)
                TorchvisionInitialization.zero(linear.bias)
            }
        }
    }

    public var children: [NamedLayer] {
        [("features", featureLayers), ("classifier", classifier)]
    }

    public var head: Linear {
        get { classifier.output }
        set { classifier.output = newValue }
    }

    public var headKey: String { "classifier.2" }

    /// The last stage (`features.7` for the four-stage models) and the classifier's norm.
    public var topBlocksStart: String { "features.\(2 * configuration.stages.count - 1)" }

    public func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
        let maps = featureLayers.callAsFunction(x, keyPrefix: "features.", tapping: featureMapNames, with: tap)
        return classifier.norm(globalAvgPool2d(maps))
    }
}
