/// What a run judges its model's outputs with: its out-of-distribution check and its calibration
/// (each nil when the run has none), read once, for a caller that predicts many times (a server).
public struct RunJudges: Sendable {
    public var check: OutOfDistributionCheck?
    /// The calibration applied to the probabilities; nil leaves them raw.
    public var calibration: RunCalibration?

    public init(check: OutOfDistributionCheck?, calibration: RunCalibration?) {
        self.check = check
        self.calibration = calibration
    }

    /// Reads the check and (when `calibrated`) the calibration saved in `run`.
    /// - Throws: what loading them throws (`RunDirectoryError.corrupt` naming the file).
    public static func load(from run: RunDirectory, calibrated: Bool = true) throws -> RunJudges {
        RunJudges(check: try OutOfDistributionCheck.load(from: run),
                  calibration: calibrated ? try RunCalibration.load(from: run) : nil)
    }
}
