import Foundation

/// How an ensemble's member weights are chosen (`--weights`).
public enum EnsembleWeighting: String, Codable, CaseIterable, Sendable {
    /// Fitted on the shared validation part: the weights minimizing the log loss of the weighted
    /// average (`EnsembleWeights.fit`). Needs a validation part, so no refit members.
    case fit
    /// 1/M each: for members without a validation part (refits), or as a baseline.
    case equal
}

/// What an ensemble run's `config.json` records under `ensemble`: its members, in order (the
/// first gives the features of the out-of-distribution check), their weights and how they were
/// chosen.
///
/// The ensemble's probabilities of an image are `Σ_m weight_m · p_m`, where `p_m` is member m's
/// probabilities after temperature scaling with the member's `temperature` as recorded here (the
/// member's `calibration.json` when the ensemble was made; raw when it had none). The recorded
/// temperature, not the member's current file, is applied, so that recalibrating a member later
/// does not change an ensemble whose weights and temperature were fitted on the old one. The
/// ensemble's own `calibration.json` then scales the average.
public struct EnsembleSpecification: Codable, Equatable, Sendable {
    /// `config.json`'s `model` for an ensemble.
    public static let modelName = "ensemble"

    /// One member run.
    public struct Member: Codable, Equatable, Sendable {
        /// The member's run directory, as an absolute path.
        public var run: String
        /// The SHA-256 (hex) of the member's `config.json` (which holds the SHA-256 of its model
        /// files) when the ensemble was made; a member whose config differs is refused.
        public var configurationSHA256: String
        /// The member's model family, e.g. "xgboost" or "densenet201" (for messages and reports).
        public var model: String
        /// >= 0; the weights of an ensemble sum to 1.
        public var weight: Double
        /// The temperature of the member's calibration applied to its probabilities, or nil when
        /// the member had no `calibration.json` (its raw probabilities are averaged).
        public var temperature: Double?
        /// The mean negative log-likelihood of the member's (calibrated) probabilities on the
        /// shared validation part; nil when there is none (refit members).
        public var validationLogLoss: Double?

        public init(run: String, configurationSHA256: String, model: String, weight: Double, temperature: Double?,
                    validationLogLoss: Double?) {
            self.run = run
            self.configurationSHA256 = configurationSHA256
            self.model = model
            self.weight = weight
            self.temperature = temperature
            self.validationLogLoss = validationLogLoss
        }

        enum CodingKeys: String, CodingKey {
            case run, configurationSHA256 = "config_sha256", model, weight, temperature
            case validationLogLoss = "validation_log_loss"
        }
    }

    public var members: [Member]
    public var weightsMethod: EnsembleWeighting
    /// The mean negative log-likelihood of the weighted average (before the ensemble's own
    /// temperature) on the shared validation part; nil without one.
    public var validationLogLoss: Double?

    public init(members: [Member], weightsMethod: EnsembleWeighting, validationLogLoss: Double?) {
        self.members = members
        self.weightsMethod = weightsMethod
        self.validationLogLoss = validationLogLoss
    }

    public var weights: [Double] { members.map(\.weight) }

    enum CodingKeys: String, CodingKey {
        case members, weightsMethod = "weights_method", validationLogLoss = "validation_log_loss"
    }
}

/// Why an ensemble cannot be made or opened. Every case names the member run at fault.
public enum EnsembleError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Fewer than two members were given.
    case tooFewMembers(Int)
    /// The same run directory was given twice.
    case duplicateMember(String)
    /// A member is an ensemble itself (nested ensembles are refused: list its members instead).
    case memberIsEnsemble(String)
    /// A member's classes (names and order) are not the first member's.
    case classesDiffer(member: String, first: String, reason: String)
    /// A member's cost matrix is not the first member's.
    case costDiffers(member: String, first: String)
    /// A member's split (`split.json`: path, label, part, content hash of every image) is not the first member's.
    case splitDiffers(member: String, first: String, reason: String)
    /// `--weights fit` with a refit member, which has no validation part to fit on.
    case refitNeedsEqualWeights(String)
    /// No validation image that every member could score (`--weights fit` needs some).
    case noValidationImages(String)
    /// An ensemble's member cannot be opened (missing, incomplete, of another format).
    case memberUnavailable(ensemble: String, member: String, reason: String)
    /// An ensemble's member `config.json` is not the one the ensemble was made with.
    case memberChanged(ensemble: String, member: String, recorded: String, found: String)
    /// An ensemble's `config.json` without a valid `ensemble` record.
    case invalidSpecification(String, reason: String)

    public var description: String {
        switch self {
        case .tooFewMembers(let count):
            return "an ensemble needs at least 2 member runs, got \(count)"
        case .duplicateMember(let path):
            return "\(path) is given twice; list every member run once"
        case .memberIsEnsemble(let path):
            return "\(path) is an ensemble itself; list its member runs instead"
        case let .classesDiffer(member, first, reason):
            return "\(member) cannot join an ensemble with \(first): its classes differ (\(reason))"
        case let .costDiffers(member, first):
            return "\(member) cannot join an ensemble with \(first): its cost matrix differs (both must score with the same costs)"
        case let .splitDiffers(member, first, reason):
            return "\(member) cannot join an ensemble with \(first): it was trained on another split (\(reason)); "
                + "train it with --split \(first)/split.json"
        case .refitNeedsEqualWeights(let path):
            return "\(path) is a refit (trained on train + validation): there is no validation part to fit weights on; "
                + "use --weights equal"
        case .noValidationImages(let path):
            return "no validation image of \(path)'s split could be scored by every member; cannot fit weights (use --weights equal)"
        case let .memberUnavailable(ensemble, member, reason):
            return "member \(member) of the ensemble \(ensemble) cannot be opened: \(reason)"
        case let .memberChanged(ensemble, member, recorded, found):
            return "member \(member) of the ensemble \(ensemble) has changed: its config.json has SHA-256 \(found.prefix(16))…, "
                + "the ensemble records \(recorded.prefix(16))…; make the ensemble again"
        case let .invalidSpecification(path, reason):
            return "\(path) is not a valid ensemble: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
