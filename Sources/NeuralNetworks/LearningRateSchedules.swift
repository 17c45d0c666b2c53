import Foundation

/// A learning rate as a function of the epoch (0 for the first), from a base rate.
public protocol LearningRateSchedule {
    /// The learning rate for `epoch`.
    func learningRate(atEpoch epoch: Int) -> Float
}

/// PyTorch's `StepLR`: the base rate times `decay` for every `stepSize` epochs completed.
public struct StepSchedule: LearningRateSchedule {
    /// The rate at epoch 0.
    public let baseLearningRate: Float
    /// The epochs between decays.
    public let stepSize: Int
    /// The multiplier applied every `stepSize` epochs (gamma).
    public let decay: Float

    /// - Throws: `OptimizerError` for a step size below 1 or a negative decay.
    public init(baseLearningRate: Float, stepSize: Int, decay: Float = 0.1) throws {
        try OptimizerError.check("stepSize", Float(stepSize), ">= 1", stepSize >= 1)
        try OptimizerError.check("decay", decay, ">= 0", decay >= 0)
        self.baseLearningRate = baseLearningRate
        self.stepSize = stepSize
        self.decay = decay
    }

    /// The rate for `epoch`.
    public func learningRate(atEpoch epoch: Int) -> Float {
        baseLearningRate * Float(Foundation.pow(Double(decay), Double(epoch / stepSize)))
    }
}

/// PyTorch's `CosineAnnealingLR` (closed form): from the base rate at epoch 0 down to
/// `minimumLearningRate` at `period`, `min + (base - min) · (1 + cos(π · epoch / period)) / 2`.
public struct CosineSchedule: LearningRateSchedule {
    /// The rate at epoch 0.
    public let baseLearningRate: Float
    /// The epoch at which the minimum is reached (T_max).
    public let period: Int
    /// The rate at the end of the period (eta_min).
    public let minimumLearningRate: Float

    /// - Throws: `OptimizerError` for a period below 1.
    public init(baseLearningRate: Float, period: Int, minimumLearningRate: Float = 0) throws {
        try OptimizerError.check("period", Float(period), ">= 1", period >= 1)
        self.baseLearningRate = baseLearningRate
        self.period = period
        self.minimumLearningRate = minimumLearningRate
    }

    /// The rate for `epoch`.
    public func learningRate(atEpoch epoch: Int) -> Float {
        let phase = Double.pi * Double(epoch) / Double(period)
        return minimumLearningRate + (baseLearningRate - minimumLearningRate) * Float((1 + Foundation.cos(phase)) / 2)
    }
}

extension Optimizer {
    /// Sets the learning rate that `schedule` gives for `epoch`.
    public func apply(_ schedule: LearningRateSchedule, epoch: Int) {
        learningRate = schedule.learningRate(atEpoch: epoch)
    }
}
