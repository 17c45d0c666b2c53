import Randomness

/// Inverted dropout: in training, each element is zeroed with probability `rate` and the rest
/// are scaled by `1 / (1 - rate)`, drawing from `generator` in row-major order; otherwise (or
/// with rate 0) the input is returned unchanged.
public func dropout(_ x: Tensor, rate: Float, isTraining: Bool, generator: inout SeededGenerator) -> Tensor {
    guard rate >= 0, rate < 1 else {
        Tensor.fail(.invalidArgument(operation: "dropout", message: "rate \(rate) is outside [0, 1)"))
    }
    guard isTraining, rate > 0 else { return x }
    let keptScale = 1 / (1 - rate)
    let mask = Tensor(shape: x.shape) { mask in
        for i in mask.indices { mask[i] = generator.nextUnitFloat() < rate ? 0 : keptScale }
    }
    let output = Tensor.combine(x, mask, operation: "dropout", ScaledMultiplication())
    guard Tensor.shouldRecord(x) else { return output }
    return output.recording("dropout", inputs: [x]) { gradient in [gradient * mask] }
}
