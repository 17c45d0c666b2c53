import Tensors

/// Updates parameters from their accumulated gradients, with PyTorch's update rules.
///
/// A step skips frozen parameters and parameters without a gradient (as PyTorch skips
/// `grad is None`), and updates the others in place, without recording gradients.
public protocol Optimizer: AnyObject {
    /// The parameters updated by `step()`, in a fixed order.
    var parameters: [Parameter] { get }
    /// The step size; schedules change it between steps.
    var learningRate: Float { get set }
    /// Applies one update to every trainable parameter that has a gradient.
    func step()
    /// A copy of what the optimizer remembers between steps, for checkpoints.
    var state: OptimizerState { get }
    /// Replaces the remembered state (and the learning rate) by `state`, so that the next steps
    /// equal those of the optimizer `state` was taken from.
    /// - Throws: `OptimizerError.invalidState` for state of another kind, parameter count or shape.
    func restore(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Forgets every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}

/// Calls `update(index, value, gradient)` with raw element buffers for each parameter that is
/// trainable and has a gradient; `index` is the parameter's position, for per-parameter state.
func forEachTrainable(_ parameters: [Parameter],
                      _ update: (Int, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) {
    Tensor.withoutGradients {
        for (index, parameter) in parameters.enumerated() where !parameter.isFrozen {
            guard let gradient = parameter.gradient else { continue }
            gradient.withUnsafeBufferPointer { gradient in
                parameter.value.withUnsafeMutableBufferPointer { value in update(index, value, gradient) }
            }
        }
    }
}

/// Per-parameter optimizer state: one zero-initialized buffer per parameter, made on first use.
struct ParameterState {
    private var buffers: [Tensor?]

    init(count: Int) { buffers = Array(repeating: nil, count: count) }

    /// Whether the buffer of parameter `index` exists yet.
    func exists(_ index: Int) -> Bool { buffers[index] != nil }

    /// Calls `body` with the buffer of parameter `index` (`count` elements, zeros at first).
    mutating func withBuffer<Result>(_ index: Int, count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Result) -> Result {
        if buffers[index] == nil { buffers[index] = Tensor.zeros([count]) }
        return buffers[index]!.withUnsafeMutableBufferPointer(body)
    }

    /// The existing buffers by parameter index, shaped like their parameters.
    func snapshot(shapes: [[Int]]) -> [Int: Tensor] {
        var result: [Int: Tensor] = [:]
        for (index, buffer) in buffers.enumerated() {
            if let buffer { result[index] = buffer.reshaped(to: shapes[index]) }
        }
        return result
    }

    /// Buffers taken from `tensors[index][name]` (flattened); absent ones start again at zeros.
    init(count: Int, restoring name: String, from tensors: [Int: [String: Tensor]]) {
        self.init(count: count)
        for (index, entries) in tensors {
            if let tensor = entries[name] { buffers[index] = tensor.detached().reshaped(to: [tensor.scalarCount]) }
        }
    }
}

extension Dictionary where Key == Int, Value == [String: Tensor] {
    /// Per-parameter entries merged from one snapshot per state name.
    init(merging snapshots: [String: [Int: Tensor]]) {
        self.init()
        for (name, snapshot) in snapshots {
            for (index, tensor) in snapshot { self[index, default: [:]][name] = tensor }
        }
    }
}
