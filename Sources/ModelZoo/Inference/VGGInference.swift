import NeuralNetworks
import Tensors

extension VGG: InferenceOptimizable {
    /// VGG for inference: each convolution with its batch norm (VGG-BN) folded in and its ReLU fused,
    /// the classifier's dropout dropped. Where oneDNN has Winograd kernels (AVX-512) the feature
    /// layers keep its channel-blocked format from the first convolution's output to the last
    /// pooling (the Winograd convolutions of the 3x3 layers with 64 or more channels compute in it),
    /// so activations are reordered only twice. Elsewhere (AVX2) they stay NHWC: direct convolutions
    /// and max pooling have fast NHWC kernels there, and 16-channel blocks are not AVX2's 8, which
    /// cost a reorder around every convolution and sent pooling to oneDNN's reference kernel.
    public func optimizedForInference() -> InferenceNetwork {
        let chainFormat: ActivationFormat = ConvolutionAlgorithm.winogradIsAvailable ? .channelBlocked16 : .nhwc
        var stages: [(FormattedActivations) -> FormattedActivations] = []
        let layers = featureLayers.children.map(\.layer)
        for (index, layer) in layers.enumerated() {
            if let convolution = layer as? Conv2d {
                let norm = layers.dropFirst(index + 1).first as? BatchNorm2d
                let folded = InferenceConvolution(convolution, foldingIn: norm, activation: .relu)
                stages.append { folded($0, outputFormat: chainFormat) }
            } else if let pool = layer as? MaxPool2d {
                stages.append {
                    maxPool2d($0, kernelSize: pool.kernelSize, stride: pool.stride, padding: Padding2D(pool.padding),
                              dilation: pool.dilation)
                }
            }
        }
        let pool = avgpool, flatten = Flatten()
        let hidden1 = InferenceLinear(classifier.hidden1, relu: true)
        let hidden2 = InferenceLinear(classifier.hidden2, relu: true)
        let output = InferenceLinear(classifier.output)
        return InferenceNetwork(body: { images in
            let features = stages.reduce(FormattedActivations(images)) { x, stage in stage(x) }.nhwc()
            return hidden2(hidden1(flatten(pool(features))))
        }, head: { output($0) })
    }
}
