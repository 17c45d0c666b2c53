import Foundation
import Tensors

/// Adam and AdamW with PyTorch's update rules (`torch.optim.Adam`, `torch.optim.AdamW`,
/// without AMSGrad). At step t:
///
///     AdamW: p = p · (1 - learningRate · weightDecay)        (decoupled decay)
///     Adam:  g = grad + weightDecay · p                      (L2 decay)
///     m = β1 m + (1 - β1) g,  v = β2 v + (1 - β2) g²
///     p = p - (learningRate / (1 - β1^t)) · m / (√v / √(1 - β2^t) + ε)
///
/// PyTorch's parameter groups with their own rates are `learningRateFactors`: parameter i takes
/// steps (and decoupled decay) at `learningRate · learningRateFactors[i]`, so a schedule that
/// changes `learningRate` changes every group's rate in proportion, as PyTorch's schedulers do
/// (`Adam(parameterGroups:)` builds them from groups and their rates).
public final class Adam: Optimizer {
    /// How weight decay enters the update.
    public enum WeightDecay: Equatable {
        /// No decay.
        case none
        /// Added to the gradient, as in `torch.optim.Adam(weight_decay:)`.
        case l2(Float)
        /// Applied to the weights directly, as in `torch.optim.AdamW(weight_decay:)`.
        case decoupled(Float)
    }

    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The step size (lr).
    public var learningRate: Float
    /// The decay of the first-moment average.
    public let beta1: Float
    /// The decay of the second-moment average.
    public let beta2: Float
    /// Added to the denominator for stability.
    public let epsilon: Float
    /// The decay and how it is applied.
    public let weightDecay: WeightDecay
    /// The factor of each parameter's rate (1 for all unless built from groups).
    public let learningRateFactors: [Float]
    /// The number of steps taken so far.
    public private(set) var stepCount = 0
    private var firstMoments: ParameterState
    private var secondMoments: ParameterState

    /// - Throws: `OptimizerError` for a negative rate, factor, ε or decay, betas outside [0, 1),
    ///   or `learningRateFactors` of another count than `parameters`.
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: WeightDecay = .none, learningRateFactors: [Float]? = nil) throws {
        try OptimizerError.check("learningRate", learningRate, ">= 0", learningRate >= 0)
        let factors = learningRateFactors ?? [Float](repeating: 1, count: parameters.count)
        try OptimizerError.check("learningRateFactors.count", Float(factors.count), "= \(parameters.count), one per parameter",
                                 factors.count == parameters.count)
        try OptimizerError.check("learningRateFactors", factors.min() ?? 0, ">= 0", factors.allSatisfy { $0 >= 0 })
        try OptimizerError.check("beta1", beta1, "in [0, 1)", beta1 >= 0 && beta1 < 1)
        try OptimizerError.check("beta2", beta2, "in [0, 1)", beta2 >= 0 && beta2 < 1)
        try OptimizerError.check("epsilon", epsilon, ">= 0", epsilon >= 0)
        switch weightDecay {
        case .none: break
        case let .l2(decay), let .decoupled(decay): try OptimizerError.check("weightDecay", decay, ">= 0", decay >= 0)
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.learningRateFactors = factors
        firstMoments = ParameterState(count: parameters.count)
        secondMoments = ParameterState(count: parameters.count)
    }

    /// Adam over PyTorch-style parameter groups, each with its own rate (`[{"params": ..., "lr": ...}]`):
    /// `learningRate` is the first group's, the others' are factors of it.
    /// - Throws: as `init(parameters:...)`; `OptimizerError` when the first group's rate is not positive.
    public convenience init(parameterGroups: [(parameters: [Parameter], learningRate: Float)], beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: WeightDecay = .none) throws {
        let base = parameterGroups.first?.learningRate ?? 1e-3
        try OptimizerError.check("learningRate", base, "> 0 in the first group", base > 0)
        try self.init(parameters: parameterGroups.flatMap(\.parameters), learningRate: base, beta1: beta1, beta2: beta2,
                      epsilon: epsilon, weightDecay: weightDecay,
                      learningRateFactors: parameterGroups.flatMap { group in group.parameters.map { _ in group.learningRate / base } })
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default decay 0.01).
    public static func adamW(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) throws -> Adam {
        try Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                 weightDecay: .decoupled(weightDecay))
    }

    /// One Adam update of every trainable parameter that has a gradient.
    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
        let correction2Root = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        let (l2Decay, decoupledDecay): (Float, Float) = switch weightDecay {
        case .none: (0, 0)
        case let .l2(decay): (decay, 0)
        case let .decoupled(decay): (0, decay)
        }
        forEachTrainable(parameters) { index, value, gradient in
            let factor = learningRateFactors[index]
            let (stepSize, decoupledShrink) = (stepSize * factor, 1 - learningRate * factor * decoupledDecay)
            firstMoments.withBuffer(index, count: value.count) { m in
                secondMoments.withBuffer(index, count: value.count) { v in
                    Parallel.forEachChunk(count: value.count, costPerItem: 8) { range in
                        for i in range {
                            value[i] *= decoupledShrink
                            let g = gradient[i] + l2Decay * value[i]
                            m[i] = beta1 * m[i] + (1 - beta1) * g
                            v[i] = beta2 * v[i] + (1 - beta2) * g * g
                            value[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
                        }
                    }
                }
            }
        }
    }

    /// `exp_avg` and `exp_avg_sq` of each updated parameter, and the `step` count.
    public var state: OptimizerState {
        let shapes = parameters.map(\.value.shape)
        return OptimizerState(kind: "Adam",
                              tensors: .init(merging: ["exp_avg": firstMoments.snapshot(shapes: shapes),
                                                       "exp_avg_sq": secondMoments.snapshot(shapes: shapes)]),
                              counters: ["step": stepCount], learningRate: learningRate)
    }

    public func restore(_ state: OptimizerState) throws {
        try state.validate(kind: "Adam", parameters: parameters, names: ["exp_avg", "exp_avg_sq"])
        stepCount = try state.counter("step")
        firstMoments = ParameterState(count: parameters.count, restoring: "exp_avg", from: state.tensors)
        secondMoments = ParameterState(count: parameters.count, restoring: "exp_avg_sq", from: state.tensors)
        learningRate = state.learningRate
    }
}
