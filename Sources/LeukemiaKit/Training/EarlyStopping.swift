/// Keras' `EarlyStopping(monitor="val_loss", patience=p, restore_best_weights=True)`: training
/// stops once `patience` epochs in a row bring no validation loss below the best one, and the
/// best epoch's weights are the result. A value type, so it goes into checkpoints as is.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public let patience: Int
    /// The lowest validation loss so far (infinity before the first epoch).
    public private(set) var bestLoss: Double
    /// The 1-based epoch of `bestLoss` (0 before the first epoch).
    public private(set) var bestEpoch: Int
    /// Epochs since the best one.
    public private(set) var epochsWithoutImprovement: Int

    public init(patience: Int) {
        self.patience = patience
        bestLoss = .infinity
        bestEpoch = 0
        epochsWithoutImprovement = 0
    }

    /// Records epoch `epoch`'s validation loss; returns whether it is the new best and whether
    /// training should stop now.
    public mutating func record(validationLoss: Double, epoch: Int) -> (isBest: Bool, shouldStop: Bool) {
        if validationLoss < bestLoss {
            bestLoss = validationLoss
            bestEpoch = epoch
            epochsWithoutImprovement = 0
            return (true, false)
        }
        epochsWithoutImprovement += 1
        return (false, epochsWithoutImprovement >= patience)
    }

    enum CodingKeys: String, CodingKey {
        case patience, bestLoss = "best_loss", bestEpoch = "best_epoch", epochsWithoutImprovement = "epochs_without_improvement"
    }
}
