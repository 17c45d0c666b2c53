import Tensors

/// A network frozen for fast inference: a snapshot of a zoo network's weights with batch norms
/// folded into the preceding convolutions, ReLU/ReLU6 fused into them, reordered convolution weights
/// cached and needless copies avoided. It computes the network's evaluation-mode logits (dropout
/// and stochastic depth off, batch norms on their running statistics) whatever mode the source
/// network is in, records no gradients, and does not follow later changes of the source's weights:
/// make a new one after training.
///
/// ```swift
/// let network = try Architecture.densenet201.makeNetwork(seed: 1)
/// let fast = network.optimizedForInference()
/// let logits = fast(images)        // [batch, classCount]
/// ```
public final class InferenceNetwork {
    private let forward: (Tensor) -> Tensor

    /// Wraps the evaluation-mode forward pass `forward` (`[batch, height, width, 3]` -> logits).
    init(_ forward: @escaping (Tensor) -> Tensor) {
        self.forward = forward
    }

    /// The logits `[batch, classCount]` of `images [batch, height, width, 3]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        Tensor.withoutGradients { forward(images) }
    }
}

/// A zoo network that can make an `InferenceNetwork` of itself.
public protocol InferenceOptimizable {
    /// A snapshot of this network's evaluation-mode forward pass, optimized for inference.
    func optimizedForInference() -> InferenceNetwork
}

extension ImageClassifierNetwork {
    /// The optimized inference network of this network, or nil for a network type the zoo cannot optimize.
    public func inferenceNetworkIfOptimizable() -> InferenceNetwork? {
        (self as? any InferenceOptimizable)?.optimizedForInference()
    }
}
