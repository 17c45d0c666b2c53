/// The boosting hyperparameters of `XGBoostClassifier` (XGBoost names in the comments).
public struct XGBoostParameters: Codable, Sendable, Equatable {
    /// Learning rate (`eta`), in (0, 1].
    public var eta: Double = 0.05
    /// Maximum tree depth (`max_depth`), at least 1.
    public var maxDepth: Int = 4
    /// Row subsampling ratio per tree (`subsample`), in (0, 1].
    public var subsample: Double = 0.8
    /// Column subsampling ratio per tree (`colsample_bytree`), in (0, 1].
    public var colsampleByTree: Double = 0.8
    /// Minimum hessian weight in a leaf (`min_child_weight`), at least 0.
    public var minChildWeight: Double = 1
    /// L2 regularization of leaf weights (`lambda`), at least 0.
    public var lambda: Double = 1
    /// Worker threads (`nthread`), at least 1. The default is 1: on ~1,700 rows a round is too
    /// small to split, and XGBoost's OpenMP threads spin-wait, so with 2 threads on 2 busy cores
    /// a real-size training took 43 s instead of 4.6 s (same model either way).
    public var nthread: Int = 1
    /// The most boosting rounds to run.
    public var maxRounds: Int = 1000
    /// Stop once the validation loss has not improved for this many rounds.
    public var earlyStoppingRounds: Int = 30

    /// The defaults above.
    public init() {}

    /// Throws `invalidHyperparameter` naming the first value out of its range.
    public func validate() throws {
        func require(_ valid: Bool, _ name: String, _ value: Any) throws {
            if !valid { throw ClassicMLError.invalidHyperparameter(name: name, value: "\(value)") }
        }
        try require(eta > 0 && eta <= 1, "eta", eta)
        try require(maxDepth >= 1, "maxDepth", maxDepth)
        try require(subsample > 0 && subsample <= 1, "subsample", subsample)
        try require(colsampleByTree > 0 && colsampleByTree <= 1, "colsampleByTree", colsampleByTree)
        try require(minChildWeight >= 0 && minChildWeight.isFinite, "minChildWeight", minChildWeight)
        try require(lambda >= 0 && lambda.isFinite, "lambda", lambda)
        try require(nthread >= 1, "nthread", nthread)
        try require(maxRounds >= 1, "maxRounds", maxRounds)
        try require(earlyStoppingRounds >= 1, "earlyStoppingRounds", earlyStoppingRounds)
    }

    /// The booster parameters as XGBoost names and strings (the training-only ones included).
    func boosterSettings(classCount: Int, seed: Int64) -> [(String, String)] {
        [
            ("objective", "multi:softprob"), ("num_class", "\(classCount)"), ("eval_metric", "mlogloss"),
            ("tree_method", "hist"), ("verbosity", "0"), ("seed", "\(seed)"),
            ("eta", "\(eta)"), ("max_depth", "\(maxDepth)"), ("subsample", "\(subsample)"),
            ("colsample_bytree", "\(colsampleByTree)"), ("min_child_weight", "\(minChildWeight)"),
            ("lambda", "\(lambda)"), ("nthread", "\(nthread)"),
        ]
    }
}
