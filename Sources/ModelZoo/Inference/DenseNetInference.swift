import NeuralNetworks
import Tensors

extension DenseNet: InferenceOptimizable {
    /// DenseNet for inference: `norm0` folded into `conv0` with its ReLU fused; in each dense layer
    /// `norm1`+ReLU is one pass that also reads the block's channel buffer in place of a
    /// concatenation, and `norm2`+ReLU is folded into `conv1`; each transition pools before its 1x1
    /// convolution (both are linear, so the order does not change the result) on a quarter of the pixels.
    /// Large batches run in passes of `InferenceNetwork.cacheSizedPassPixels`.
    public func optimizedForInference() -> InferenceNetwork {
        optimizedForInference(inputPixelsPerPass: InferenceNetwork.cacheSizedPassPixels)
    }

    /// The same with passes of at most `inputPixelsPerPass` input pixels (at least one image each).
    func optimizedForInference(inputPixelsPerPass: Int) -> InferenceNetwork {
        var stages: [(Tensor) -> Tensor] = []
        let layers = featureLayers.children.map(\.layer)
        guard let conv0 = layers.first as? Conv2d, let norm0 = layers.dropFirst().first as? BatchNorm2d,
              let norm5 = layers.last as? BatchNorm2d else {
            preconditionFailure("DenseNet.featureLayers starts with conv0, norm0 and ends with norm5 by construction")
        }
        let stem = InferenceConvolution(conv0, foldingIn: norm0, activation: .relu)
        stages.append { maxPool2d(stem($0), kernelSize: 3, stride: 2, padding: Padding2D(1)) }
        for layer in layers {
            if let block = layer as? DenseBlock {
                stages.append(Self.inferenceBlock(block))
            } else if let transition = layer as? Transition {
                let norm = FoldedBatchNorm(transition.norm), convolution = InferenceConvolution(transition.conv)
                stages.append { convolution(avgPool2d(norm.reluOfLeadingChannels(of: $0), kernelSize: 2, stride: 2)) }
            }
        }
        let finalNorm = FoldedBatchNorm(norm5), head = InferenceLinear(classifier)
        stages.append { globalAvgPool2d(finalNorm.reluOfLeadingChannels(of: $0)) }
        return InferenceNetwork(body: { images in
            let imagesPerPass = Swift.max(1, inputPixelsPerPass / (images.shape[1] * images.shape[2]))
            return images.inSubBatches(ofAtMost: imagesPerPass) { part in stages.reduce(part) { x, stage in stage(x) } }
        }, head: { head($0) })
    }

    private static func inferenceBlock(_ block: DenseBlock) -> (Tensor) -> Tensor {
        let layers = block.layers.map { layer in
            (norm1: FoldedBatchNorm(layer.norm1), bottleneck: InferenceConvolution(layer.conv1, foldingIn: layer.norm2, activation: .relu),
             growth: InferenceConvolution(layer.conv2))
        }
        let growthChannels = block.layers.map { $0.conv2.weight.value.shape[0] }.reduce(0, +)
        return { input in
            var buffer = DenseFeatureBuffer(input: input, channels: input.shape[3] + growthChannels)
            for layer in layers {
                buffer.append(layer.growth(layer.bottleneck(layer.norm1.reluOfLeadingChannels(of: buffer.features))))
            }
            return buffer.features
        }
    }
}
