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
    private let body: (Tensor) -> Tensor
    private let head: (Tensor) -> Tensor

    /// Wraps the evaluation-mode forward pass: `body` (`[batch, height, width, 3]` -> the feature
    /// vector `[batch, featureCount]` the head consumes), then `head` (-> logits).
    init(body: @escaping (Tensor) -> Tensor, head: @escaping (Tensor) -> Tensor) {
        self.body = body
        self.head = head
    }

    /// The logits `[batch, classCount]` of `images [batch, height, width, 3]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        Tensor.withoutGradients { head(body(images)) }
    }

    /// The feature vectors `[batch, featureCount]` the head consumes, as the source network's
    /// `features(_:)` gives them in evaluation mode (globally pooled; VGG's second hidden layer).
    public func features(_ images: Tensor) -> Tensor {
        Tensor.withoutGradients { body(images) }
    }

    /// The logits of feature vectors from `features(_:)`: `[batch, featureCount]` -> `[batch, classCount]`.
    public func logits(ofFeatures features: Tensor) -> Tensor {
        Tensor.withoutGradients { head(features) }
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
