import NeuralNetworks
import Randomness
import Tensors

/// The weight initializations torchvision's model constructors apply after building the layers
/// (PyTorch's defaults are replaced), so that training from scratch starts where torchvision's does.
enum TorchvisionInitialization {
    /// Which fan Kaiming initialization scales by.
    enum Fan { case input, output }

    /// `kaiming_normal_(weight, mode: fan, nonlinearity: "relu")`: normal with std `√(2 / fan)`,
    /// where fan = channels · kernel area on the chosen side.
    static func kaimingNormal(_ weight: Parameter, fan: Fan, generator: inout SeededGenerator) {
        let shape = weight.value.shape
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        let count = (fan == .input ? shape[1] : shape[0]) * receptiveField
        normal(weight, standardDeviation: (2 / Float(count)).squareRoot(), generator: &generator)
    }

    /// `normal_(weight, 0, standardDeviation)`.
    static func normal(_ weight: Parameter, standardDeviation: Float, generator: inout SeededGenerator) {
        weight.value = Tensor.randomNormal(weight.value.shape, standardDeviation: standardDeviation, generator: &generator)
    }

    /// `trunc_normal_(weight, std: standardDeviation)`: normal samples, redrawn outside [-2, 2].
    static func truncatedNormal(_ weight: Parameter, standardDeviation: Float, generator: inout SeededGenerator) {
        weight.value = Tensor(shape: weight.value.shape) { buffer in
            for i in buffer.indices {
                var sample: Float
                repeat { sample = standardDeviation * Float(generator.nextNormal()) } while abs(sample) > 2
                buffer[i] = sample
            }
        }
    }

    /// `zeros_(bias)` for a layer that has a bias.
    static func zero(_ bias: Parameter?) {
        guard let bias else { return }
        bias.value = Tensor.zeros(bias.value.shape)
    }
}
