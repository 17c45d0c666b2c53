import Tensors

/// Scales the gradients of `parameters` so that their joint L2 norm is at most `maximumNorm`,
/// as PyTorch's `clip_grad_norm_`: the factor is `maximumNorm / (norm + 1e-6)` when below 1.
/// Frozen parameters and parameters without a gradient are left out. Returns the norm before
/// clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maximumNorm: Float) -> Float {
    let trainable = parameters.filter { !$0.isFrozen && $0.gradient != nil }
    let squaredNorm = trainable.reduce(0.0) { total, parameter in
        total + Double(parameter.gradient!.squaredSum().scalar)
    }
    let norm = Float(squaredNorm.squareRoot())
    let factor = maximumNorm / (norm + 1e-6)
    guard factor < 1 else { return norm }
    for parameter in trainable {
        parameter.gradient!.withUnsafeMutableBufferPointer { gradient in
            for i in gradient.indices { gradient[i] *= factor }
        }
    }
    return norm
}
