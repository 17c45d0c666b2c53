import Tensors

/// What an optimizer remembers between steps, for checkpoints: per-parameter tensors under
/// PyTorch's state names (`exp_avg`, `exp_avg_sq`, `momentum_buffer`), counters (`step`) and
/// the current learning rate.
public struct OptimizerState {
    /// The optimizer's type name ("Adam", "SGD"), so state is not restored into another kind.
    public var kind: String
    /// By parameter index (position in `Optimizer.parameters`), the state tensors by name, each
    /// shaped like its parameter. Parameters that have not been updated yet have no entry.
    public var tensors: [Int: [String: Tensor]]
    /// Counters by name, e.g. `step` for Adam.
    public var counters: [String: Int]
    /// The learning rate when the state was taken (schedules change it).
    public var learningRate: Float

    public init(kind: String, tensors: [Int: [String: Tensor]], counters: [String: Int], learningRate: Float) {
        self.kind = kind
        self.tensors = tensors
        self.counters = counters
        self.learningRate = learningRate
    }

    /// The counter `name`.
    /// - Throws: `OptimizerError.invalidState` when it is absent or negative.
    func counter(_ name: String) throws -> Int {
        guard let value = counters[name], value >= 0 else {
            throw OptimizerError.invalidState("\(kind) state lacks a non-negative counter '\(name)'")
        }
        return value
    }

    /// Checks that this state is of `kind`, for `parameters`, with state tensors named
    /// `names` (all of them or none for each parameter) shaped like their parameters.
    func validate(kind expectedKind: String, parameters: [Parameter], names: Set<String>) throws {
        guard kind == expectedKind else {
            throw OptimizerError.invalidState("state of a \(kind) optimizer cannot be restored into \(expectedKind)")
        }
        for (index, entries) in tensors {
            guard parameters.indices.contains(index) else {
                throw OptimizerError.invalidState("state for parameter \(index), but the optimizer has \(parameters.count)")
            }
            guard Set(entries.keys) == names else {
                throw OptimizerError.invalidState("parameter \(index) has state \(entries.keys.sorted()), expected \(names.sorted())")
            }
            for (name, tensor) in entries where tensor.shape != parameters[index].value.shape {
                throw OptimizerError.invalidState(
                    "\(name) of parameter \(index) has shape \(tensor.shape), the parameter \(parameters[index].value.shape)")
            }
        }
    }
}
