import NeuralNetworks
import Randomness
import Tensors

extension HybridNetwork {
    /// How the flattened U-Net stage is reduced before flattening.
    public enum FlattenPooling: Codable, Equatable, Sendable {
        /// Flatten the stage as it is (the study: 56 x 56 x 128 = 401,408 features at 224 x 224).
        case none
        /// Non-overlapping `window x window` average pooling first (the side must be a multiple).
        case average(window: Int)
        /// Global average pooling first: one feature per channel.
        case globalAverage
    }

    /// Keras `Conv2DTranspose(filters, 3, strides: 2, padding: "same")`: doubles height and width
    /// exactly. Parameters `weight [inChannels, outChannels, 3, 3]` (PyTorch's `ConvTranspose2d`
    /// layout) and `bias [outChannels]`.
    ///
    /// TensorFlow's "same" transposed convolution is the transpose of a stride-2 "same" convolution,
    /// whose padding is 0 before and 1 after; so the full `(2n + 1)`-long output is cropped by one
    /// row and column at the bottom and right (PyTorch's `padding=1, output_padding=1` would crop the
    /// top and left instead, shifting the output by one pixel).
    public final class UpConvolution: Layer {
        /// `[inChannels, outChannels, 3, 3]`.
        public let weight: Parameter
        /// `[outChannels]`.
        public let bias: Parameter
        public var isTraining = true
        static let padding = Padding2D(top: 0, bottom: 1, left: 0, right: 1)

        /// Keras' initialization: Glorot-uniform weight, zero bias.
        init(inChannels: Int, outChannels: Int, generator: inout SeededGenerator) {
            weight = Parameter(HybridNetwork.glorotUniform([inChannels, outChannels, 3, 3], fanIn: inChannels * 9,
                                                           fanOut: outChannels * 9, generator: &generator), name: "weight")
            bias = Parameter(Tensor.zeros([outChannels]), name: "bias")
        }

        public var localParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

        /// `x [batch, height, width, inChannels]` -> `[batch, 2 · height, 2 · width, outChannels]`.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            transposedConv2d(x, weight: weight.value, bias: bias.value, stride: 2, padding: Self.padding)
        }
    }

    /// The study's U-Net on the purple-masked pixels, whose stage `conv<flattenedStage>` is
    /// (optionally pooled and) flattened into the classifier's input.
    ///
    /// With `L = widths.count` levels, stage `conv<k>` is two 3x3 "same" convolutions, each followed
    /// by ReLU. Encoder stages `conv1` ... `conv<L>` have widths `widths[0]` ... `widths[L-1]`, each
    /// after 2x2 max pooling except the first; decoder stage `conv<L+j>` (j = 1 ... L-1) takes
    /// `up<L+j>` (an `UpConvolution` of the previous stage to `widths[L-1-j]` channels) concatenated
    /// with the skip `conv<L-j>` (up-sampled channels first) and has width `widths[L-1-j]`.
    /// The study's widths `[32, 64, 128, 256]` on 224 x 224 give conv1 224², conv2 112², conv3 56²,
    /// conv4 28² (bottom), conv5 56² x 128 (flattened), conv6 112² x 64, conv7 224² x 32.
    ///
    /// Keys: `conv<k>.0.weight`, `conv<k>.0.bias`, `conv<k>.2.weight`, `conv<k>.2.bias` (children
    /// 1 and 3 are the ReLUs), `up<k>.weight`, `up<k>.bias`; children in the order conv1, ..., conv<L>,
    /// up<L+1>, conv<L+1>, ... Stages after the flattened one are dead for the classifier: they feed
    /// neither the logits nor any gradient. They are computed only when `computesStagesAfterFlattened`.
    public final class UNetBranch: Layer {
        /// The U-Net's shape and what the classifier takes from it.
        public struct Configuration: Codable, Equatable, Sendable {
            /// The encoder widths, input side first; the last is the bottom. At least 1 level.
            public var widths: [Int]
            /// The number `k` of the stage `conv<k>` that is flattened (1 ... 2 · widths.count − 1).
            public var flattenedStage: Int
            /// The pooling applied to the flattened stage before flattening.
            public var flattenPooling: FlattenPooling
            /// Whether the forward pass also computes the (dead) stages after the flattened one, as
            /// the study's full U-Net does. They change neither outputs nor gradients, only cost time:
            /// for the study's U-Net at 224 x 224, conv6, conv7 and their up-convolutions triple the
            /// forward time (1.40 s against 0.46 s for 4 images, debug build).
            public var computesStagesAfterFlattened: Bool

            private enum CodingKeys: String, CodingKey {
                case widths, flattenedStage = "flattened_stage", flattenPooling = "flatten_pooling"
                case computesStagesAfterFlattened = "computes_stages_after_flattened"
            }

            public init(widths: [Int], flattenedStage: Int, flattenPooling: FlattenPooling = .none,
                        computesStagesAfterFlattened: Bool = true) {
                self.widths = widths
                self.flattenedStage = flattenedStage
                self.flattenPooling = flattenPooling
                self.computesStagesAfterFlattened = computesStagesAfterFlattened
            }

            /// The study's U-Net: widths 32, 64, 128, 256, conv5 flattened without pooling, every
            /// decoder stage computed.
            public static let study = Configuration(widths: [32, 64, 128, 256], flattenedStage: 5)

            /// A CPU-trainable variant: half the widths, conv5 (56 x 56 x 64 at 224) average-pooled
            /// 8 x 8 to 7 x 7 x 64 = 3,136 features, dead stages skipped.
            public static let light = Configuration(widths: [16, 32, 64, 128], flattenedStage: 5,
                                                    flattenPooling: .average(window: 8), computesStagesAfterFlattened: false)

            /// The number of stages, `2 · widths.count − 1`.
            public var stageCount: Int { 2 * widths.count - 1 }

            /// The width of stage `conv<stage>` (1-based).
            func width(ofStage stage: Int) -> Int {
                stage <= widths.count ? widths[stage - 1] : widths[stageCount - stage]
            }

            /// How many times stage `conv<stage>` is smaller than the input, per side.
            func downsampling(ofStage stage: Int) -> Int {
                1 << (stage <= widths.count ? stage - 1 : stageCount - stage)
            }
        }

        public let configuration: Configuration
        /// `conv1` ... `conv<2L-1>`: each `Sequential(Conv2d, ReLU, Conv2d, ReLU)`.
        public let stages: [Sequential]
        /// `up<L+1>` ... `up<2L-1>`, the up-sampling of each decoder stage's input.
        public let upConvolutions: [UpConvolution]
        /// The side of the square input images.
        public let imageSize: Int
        /// The length of the flattened vector.
        public let flattenedFeatureCount: Int
        public var isTraining = true

        /// A U-Net for `imageSize x imageSize` inputs with Keras' initialization (Glorot-uniform
        /// weights, zero biases) drawn from `generator`.
        /// - Throws: `ModelZooError.invalidConfiguration` for no levels, a non-positive width, a
        ///   flattened stage outside 1 ... 2L−1, an image side that is not a multiple of 2^(L−1), or a
        ///   pooling window that does not divide the flattened stage's side.
        init(configuration: Configuration, imageSize: Int, generator: inout SeededGenerator) throws {
            let name = "HybridNetwork.UNetBranch"
            let levels = configuration.widths.count
            try ModelZooError.check(levels > 0 && configuration.widths.allSatisfy { $0 > 0 }, name,
                                    "widths \(configuration.widths) must be at least one positive width")
            try ModelZooError.check((1...configuration.stageCount).contains(configuration.flattenedStage), name,
                                    "flattened stage conv\(configuration.flattenedStage) is not one of conv1 ... conv\(configuration.stageCount)")
            let bottomFactor = 1 << (levels - 1)
            try ModelZooError.check(imageSize > 0 && imageSize % bottomFactor == 0, name,
                                    "image size \(imageSize) must be a positive multiple of \(bottomFactor) for \(levels) levels")
            let side = imageSize / configuration.downsampling(ofStage: configuration.flattenedStage)
            let channels = configuration.width(ofStage: configuration.flattenedStage)
            switch configuration.flattenPooling {
            case .none:
                flattenedFeatureCount = side * side * channels
            case let .average(window):
                try ModelZooError.check(window > 0 && side % window == 0, name,
                                        "average pooling window \(window) must divide the side \(side) of conv\(configuration.flattenedStage)")
                flattenedFeatureCount = (side / window) * (side / window) * channels
            case .globalAverage:
                flattenedFeatureCount = channels
            }

            var stages: [Sequential] = [], upConvolutions: [UpConvolution] = []
            var inputChannels = 3
            for stage in 1...configuration.stageCount {
                let width = configuration.width(ofStage: stage)
                if stage > levels {
                    upConvolutions.append(UpConvolution(inChannels: inputChannels, outChannels: width, generator: &generator))
                    inputChannels = 2 * width
                }
                stages.append(Sequential(try Self.convolution(inputChannels, width, &generator), ReLU(),
                                         try Self.convolution(width, width, &generator), ReLU()))
                inputChannels = width
            }
            self.stages = stages
            self.upConvolutions = upConvolutions
            self.imageSize = imageSize
            self.configuration = configuration
        }

        /// A 3x3 "same" convolution with Keras' initialization.
        private static func convolution(_ inChannels: Int, _ outChannels: Int, _ generator: inout SeededGenerator) throws -> Conv2d {
            let convolution = try Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: 1,
                                         generator: &generator)
            HybridNetwork.rescaleDefaultToGlorot(convolution.weight, fanIn: inChannels * 9, fanOut: outChannels * 9)
            convolution.bias?.value = Tensor.zeros([outChannels])
            return convolution
        }

        public var children: [(name: String, layer: any Layer)] {
            let levels = configuration.widths.count
            var result: [(name: String, layer: any Layer)] = []
            for (index, stage) in stages.enumerated() {
                if index >= levels { result.append(("up\(index + 1)", upConvolutions[index - levels])) }
                result.append(("conv\(index + 1)", stage))
            }
            return result
        }

        /// The names (`conv1` ... `conv<flattenedStage>`) of the stages that feed the classifier.
        public var liveStageNames: [String] { (1...configuration.flattenedStage).map { "conv\($0)" } }

        /// The outputs of stages `conv1` ... `conv<lastStage>` for `pixels [batch, imageSize, imageSize, 3]`;
        /// `tap` sees (and may replace) each output under its name `conv<k>`. Stops with a message
        /// naming `lastStage` unless it is in 1 ... `configuration.stageCount`.
        public func stageOutputs(_ pixels: Tensor, through lastStage: Int, tap: FeatureMapTap) -> [Tensor] {
            guard (1...configuration.stageCount).contains(lastStage) else {
                Tensor.fail(.invalidArgument(operation: "HybridNetwork.UNetBranch.stageOutputs",
                                             message: "stage conv\(lastStage) is not one of conv1 ... conv\(configuration.stageCount)"))
            }
            return stageOutputs(pixels, through: lastStage, upConvolution: { upConvolutions[$0]($1) }) { stage, input in
                tap("conv\(stage)", stages[stage - 1](input))
            }
        }

        /// The U-Net's wiring, for stages 1 ... `lastStage`: stage `conv<stage>`'s output is
        /// `body(stage, input)`, its input the pixels, the max-pooled previous output (encoder), or
        /// `upConvolution(j, previous output)` (`up<levels + 1 + j>`) concatenated with its skip (decoder).
        func stageOutputs(_ pixels: Tensor, through lastStage: Int, upConvolution: (Int, Tensor) -> Tensor,
                          body: (Int, Tensor) -> Tensor) -> [Tensor] {
            let levels = configuration.widths.count
            var outputs: [Tensor] = []
            for stage in 1...lastStage {
                let input: Tensor
                if stage == 1 {
                    input = pixels
                } else if stage <= levels {
                    input = maxPool2d(outputs[stage - 2], kernelSize: 2)
                } else {
                    let upsampled = upConvolution(stage - levels - 1, outputs[stage - 2])
                    input = Tensor(concatenating: [upsampled, outputs[configuration.stageCount - stage]], alongAxis: 3)
                }
                outputs.append(body(stage, input))
            }
            return outputs
        }

        /// The classifier's input from this branch, `[batch, flattenedFeatureCount]`: stage
        /// `conv<flattenedStage>` pooled as configured and flattened in NHWC order (height, width,
        /// channel; Keras' `Flatten` on channels-last data). `tap` sees the live stages.
        public func flattenedFeatures(_ pixels: Tensor, tap: FeatureMapTap) -> Tensor {
            let flattenedStage = configuration.flattenedStage
            let lastStage = configuration.computesStagesAfterFlattened ? configuration.stageCount : flattenedStage
            let map = stageOutputs(pixels, through: lastStage) { name, output in
                liveStageNames.contains(name) ? tap(name, output) : output
            }[flattenedStage - 1]
            return flattened(map)
        }

        /// The flattened stage's output `map` pooled as configured and flattened in NHWC order:
        /// `[batch, flattenedFeatureCount]`.
        func flattened(_ map: Tensor) -> Tensor {
            let pooled: Tensor
            switch configuration.flattenPooling {
            case .none: pooled = map
            case let .average(window): pooled = avgPool2d(map, kernelSize: window)
            case .globalAverage: pooled = globalAvgPool2d(map)
            }
            return pooled.reshaped(to: [pooled.shape[0], flattenedFeatureCount])
        }

        /// `flattenedFeatures` of `pixels` (the masked image on 0...1).
        public func callAsFunction(_ pixels: Tensor) -> Tensor {
            flattenedFeatures(pixels) { $1 }
        }
    }
}
