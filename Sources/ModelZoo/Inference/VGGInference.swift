import NeuralNetworks
import Tensors

extension VGG: InferenceOptimizable {
    /// VGG for inference: each convolution with its batch norm (VGG-BN) folded in and its ReLU fused,
    /// the classifier's dropout dropped.
    public func optimizedForInference() -> InferenceNetwork {
        var stages: [(Tensor) -> Tensor] = []
        let layers = featureLayers.children.map(\.layer)
        for (index, layer) in layers.enumerated() {
            if let convolution = layer as? Conv2d {
                let norm = layers.dropFirst(index + 1).first as? BatchNorm2d
                let folded = InferenceConvolution(convolution, foldingIn: norm, activation: .relu)
                stages.append { folded($0) }
            } else if layer is MaxPool2d {
                stages.append { layer($0) }
            }
        }
        let pool = avgpool, flatten = Flatten()
        let hidden1 = InferenceLinear(classifier.hidden1, relu: true)
        let hidden2 = InferenceLinear(classifier.hidden2, relu: true)
        let output = InferenceLinear(classifier.output)
        stages.append { output(hidden2(hidden1(flatten(pool($0))))) }
        return InferenceNetwork { images in stages.reduce(images) { x, stage in stage(x) } }
    }
}
