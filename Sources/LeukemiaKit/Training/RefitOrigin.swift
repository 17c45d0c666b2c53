import Foundation
import ToolkitSupport

/// Where a refitted run comes from (`train --refit`): the selection run whose validation part
/// chose the epoch count (CNNs), the boosting rounds (XGBoost) or C and gamma (SVM), and the
/// schedule the refit replays. Stored in the refit's `config.json` under `refit`, and for a CNN
/// also in its `training-options.json`, so that a killed refit resumes on the same plan.
public struct RefitOrigin: Codable, Equatable, Sendable {
    /// The selection run's directory, as an absolute path.
    public var selectionRun: String
    /// The SHA-256 (hex) of the selection run's `config.json` when the refit started.
    public var selectionConfigurationSHA256: String
    /// For a CNN: the learning rate of each epoch to train, the selection run's rates of epochs
    /// 1 ... best (reduce-on-plateau needs a validation loss, which a refit does not have).
    public var learningRates: [Float]?
    /// For a CNN whose selection kept a weight average (`--average-from`): the first averaged
    /// epoch; the refit trains to the selection's last averaged epoch and keeps its own average
    /// from this epoch on. nil: the refit keeps its last epoch's weights.
    public var averagedFromEpoch: Int?

    public init(selectionRun: String, selectionConfigurationSHA256: String, learningRates: [Float]? = nil,
                averagedFromEpoch: Int? = nil) {
        self.selectionRun = selectionRun
        self.selectionConfigurationSHA256 = selectionConfigurationSHA256
        self.learningRates = learningRates
        self.averagedFromEpoch = averagedFromEpoch
    }

    enum CodingKeys: String, CodingKey {
        case selectionRun = "selection_run", selectionConfigurationSHA256 = "selection_config_sha256"
        case learningRates = "learning_rates", averagedFromEpoch = "averaged_from_epoch"
    }
}
