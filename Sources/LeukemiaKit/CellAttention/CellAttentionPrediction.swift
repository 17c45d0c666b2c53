import ModelZoo
import Tensors

/// What the attention network says of one image's bag of cells.
public struct CellAttentionPrediction: Sendable {
    /// Softmax probabilities, in the run's class order (uncalibrated).
    public var probabilities: [Double]
    /// One weight per instance (each cell, or the whole image when no cell was found), summing to 1.
    public var attention: [Float]
    /// The attention-weighted mean of the instances' backbone embeddings (`featureCount` values):
    /// the image's feature vector for the out-of-distribution check.
    public var features: [Float]

    /// The predictions of `network` (in evaluation mode, without gradients) for `bags`, 64 bags
    /// per pass, from each bag's unaltered cells (symmetry 0).
    static func outputs(of network: CellAttentionNetwork, bags: [EmbeddedBag]) throws -> [CellAttentionPrediction] {
        network.eval()
        var predictions: [CellAttentionPrediction] = []
        predictions.reserveCapacity(bags.count)
        try Tensor.withoutGradients {
            for first in stride(from: 0, to: bags.count, by: 64) {
                let chunk = Array(bags[first..<min(first + 64, bags.count)])
                let output = try network.logits(bags: chunk.map { $0.tensor(version: 0) })
                let probabilities = softmax(output.logits).scalars
                let classCount = output.logits.shape[1]
                for (slot, bag) in chunk.enumerated() {
                    let weights = output.attention[slot].scalars
                    var features = [Float](repeating: 0, count: bag.featureCount)
                    for (instance, weight) in weights.enumerated() {
                        for column in 0..<bag.featureCount {
                            features[column] += weight * bag.embeddings[0][instance * bag.featureCount + column]
                        }
                    }
                    predictions.append(CellAttentionPrediction(
                        probabilities: probabilities[(slot * classCount)..<((slot + 1) * classCount)].map(Double.init),
                        attention: weights, features: features))
                }
            }
        }
        return predictions
    }
}
