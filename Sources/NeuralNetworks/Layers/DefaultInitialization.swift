import Randomness
import Tensors

/// PyTorch's default initialization of convolution and linear layers: weights from
/// `kaiming_uniform_(a: √5)`, which is uniform on ±1/√fanIn, and biases uniform on ±1/√fanIn.
enum DefaultInitialization {
    /// Uniform samples on `[-1/√fanIn, 1/√fanIn)`, drawn in row-major order (zeros when `fanIn` is 0).
    static func uniform(_ shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.randomUniform(shape, lowerBound: -bound, upperBound: bound, generator: &generator)
    }

    /// A weight parameter and, when `hasBias`, a bias parameter of `biasCount` elements, drawn in
    /// that order from `generator`.
    static func weightAndBias(weightShape: [Int], biasCount: Int, hasBias: Bool, fanIn: Int,
                              generator: inout SeededGenerator) -> (weight: Parameter, bias: Parameter?) {
        let weight = Parameter(uniform(weightShape, fanIn: fanIn, generator: &generator), name: "weight")
        let bias = hasBias ? Parameter(uniform([biasCount], fanIn: fanIn, generator: &generator), name: "bias") : nil
        return (weight, bias)
    }
}

extension Layer {
    /// `("weight", weight)` and `("bias", bias)` when there is a bias.
    func weightAndBiasEntries(_ weight: Parameter, _ bias: Parameter?) -> [NamedParameter] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
