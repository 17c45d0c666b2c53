import NeuralNetworks

/// How a CNN training lowers its learning rate over the epochs (`--schedule`); recorded with the
/// run's options. Either way the rate of every parameter group moves in proportion (Adam's
/// `learningRateFactors`), and early stopping and the kept epoch follow `--selection`.
public enum LearningRateDecay: String, Codable, Sendable, CaseIterable {
    /// Reduce-on-plateau (the study's): the rate times `plateauFactor` once `plateauPatience`
    /// epochs in a row bring no better selected value.
    case plateau
    /// PyTorch's `CosineAnnealingLR` stepped once an epoch, `T_max` the maximum epochs (`--epochs`)
    /// and `eta_min` 0: epoch e (from 1) of E trains at `learningRate · (1 + cos(π (e - 1) / E)) / 2`,
    /// whatever the validation scores.
    case cosine

    /// The cosine schedule over `epochs` from `learningRate`, nil for reduce-on-plateau.
    func cosineSchedule(learningRate: Float, epochs: Int) throws -> CosineSchedule? {
        self == .cosine ? try CosineSchedule(baseLearningRate: learningRate, period: epochs) : nil
    }
}
