import ModelZoo
import NeuralNetworks
import Tensors

/// One optimizer step of a whole network on a batch of images, as `leukemia train` takes it (and
/// `training-benchmark` measures it): the forward pass in training mode, the (class-weighted) mean
/// softmax cross-entropy plus the network's regularization penalty (the hybrid's L2), the backward pass through every trainable
/// parameter, and the optimizer's update.
public struct NetworkTrainingStep {
    public let network: any ImageClassifierNetwork
    public init(network: any ImageClassifierNetwork) {
        self.network = network
    }

    /// Puts the network in training mode, except the layers whose parameters are all frozen (see
    /// `TransferPolicy`); call it before the steps of an epoch.
    public func enterTrainingMode() {
        TransferPolicy.setTrainingMode(of: network)
    }

    /// Trains on `images [batch, height, width, 3]` with their `labels` (class indices) and
    /// returns the batch's loss and its logits (detached).
    @discardableResult
    public func callAsFunction(_ images: Tensor, labels: [Int], optimizer: any Optimizer,
                               classWeights: Tensor?) -> (loss: Float, logits: Tensor) {
        let logits = network(images)
        let loss = trainingStep(logits: logits, labels: labels, optimizer: optimizer, classWeights: classWeights,
                                penalty: network.regularizationPenalty)
        return (loss, logits.detached())
    }
}
