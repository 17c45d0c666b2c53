import Tensors

/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` rule (dampening 0):
///
///     g = grad + weightDecay · p
///     b = g on the first step, else momentum · b + g        (when momentum ≠ 0)
///     g = nesterov ? g + momentum · b : b
///     p = p - learningRate · g
public final class SGD: Optimizer {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The step size (lr).
    public var learningRate: Float
    /// The momentum factor (0: none).
    public let momentum: Float
    /// The L2 decay added to the gradient.
    public let weightDecay: Float
    /// Whether the Nesterov variant is used.
    public let nesterov: Bool
    private var momentumBuffers: ParameterState

    /// - Throws: `OptimizerError` for a negative rate, momentum or decay, or Nesterov without momentum.
    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false) throws {
        try OptimizerError.check("learningRate", learningRate, ">= 0", learningRate >= 0)
        try OptimizerError.check("momentum", momentum, ">= 0", momentum >= 0)
        try OptimizerError.check("weightDecay", weightDecay, ">= 0", weightDecay >= 0)
        try OptimizerError.check("momentum", momentum, "> 0 with Nesterov", !nesterov || momentum > 0)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = ParameterState(count: parameters.count)
    }

    /// One SGD update of every trainable parameter that has a gradient.
    public func step() {
        let (rate, momentum, decay, nesterov) = (learningRate, momentum, weightDecay, nesterov)
        forEachTrainable(parameters) { index, value, gradient in
            guard momentum != 0 else {
                Parallel.forEachChunk(count: value.count, costPerItem: 2) { range in
                    for i in range { value[i] -= rate * (gradient[i] + decay * value[i]) }
                }
                return
            }
            let isFirstStep = !momentumBuffers.exists(index)
            momentumBuffers.withBuffer(index, count: value.count) { buffer in
                Parallel.forEachChunk(count: value.count, costPerItem: 4) { range in
                    for i in range {
                        let g = gradient[i] + decay * value[i]
                        buffer[i] = isFirstStep ? g : momentum * buffer[i] + g
                        value[i] -= rate * (nesterov ? g + momentum * buffer[i] : buffer[i])
                    }
                }
            }
        }
    }

    /// The `momentum_buffer` of each updated parameter (none without momentum).
    public var state: OptimizerState {
        OptimizerState(kind: "SGD",
                       tensors: .init(merging: ["momentum_buffer": momentumBuffers.snapshot(shapes: parameters.map(\.value.shape))]),
                       counters: [:], learningRate: learningRate)
    }

    public func restore(_ state: OptimizerState) throws {
        try state.validate(kind: "SGD", parameters: parameters, names: ["momentum_buffer"])
        momentumBuffers = ParameterState(count: parameters.count, restoring: "momentum_buffer", from: state.tensors)
        learningRate = state.learningRate
    }
}
