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

    /// JSON has no infinity: before any epoch (and in a refit, which has no validation loss)
    /// `best_loss` is left out.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(patience, forKey: .patience)
        if bestLoss.isFinite { try container.encode(bestLoss, forKey: .bestLoss) }
        try container.encode(bestEpoch, forKey: .bestEpoch)
        try container.encode(epochsWithoutImprovement, forKey: .epochsWithoutImprovement)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        patience = try container.decode(Int.self, forKey: .patience)
        bestLoss = try container.decodeIfPresent(Double.self, forKey: .bestLoss) ?? .infinity
        bestEpoch = try container.decode(Int.self, forKey: .bestEpoch)
        epochsWithoutImprovement = try container.decode(Int.self, forKey: .epochsWithoutImprovement)
    }
}
