/// What picks a CNN training's kept epoch (early stopping) and drives reduce-on-plateau
/// (`--selection`); recorded with the run's options.
public enum ModelSelection: String, Codable, Sendable, CaseIterable {
    /// The validation loss as Keras reports it, the network's regularization term included (the
    /// hybrid's L2 on its dense head): the study's. For every other network it equals `dataLoss`.
    case loss
    /// The validation cross-entropy alone, without the regularization term.
    case dataLoss = "data-loss"
    /// The validation accuracy: the first epoch that reaches the highest is kept.
    case accuracy

    /// `value` (a number `value(of:)` gave) as a reader expects it: the accuracy itself for
    /// `accuracy`, the loss otherwise.
    func reported(_ value: Double) -> Double {
        self == .accuracy ? 1 - value : value
    }

    /// The number to minimize for an epoch's validation `scores`.
    func value(of scores: PassScores) -> Double {
        switch self {
        case .loss: scores.meanLoss + scores.regularization
        case .dataLoss: scores.meanLoss
        case .accuracy: 1 - scores.accuracy
        }
    }
}
