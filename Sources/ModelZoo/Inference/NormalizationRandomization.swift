import NeuralNetworks
import Randomness
import Tensors

extension ImageClassifierNetwork {
    /// Gives every batch norm seeded random evaluation statistics and affine parameters
    /// (γ, σ² uniform in [0.5, 1.5], β, μ normal with std 0.1) and every ConvNeXt layer scale
    /// uniform values in [0.05, 0.2]. Fresh ones are the identity (γ 1, β 0, μ 0, σ² 1; layer scale
    /// 1e-6), under which folding them changes nothing: parity checks of optimized inference
    /// (`optimizedForInference()`) against the plain network need this to mean anything.
    public func randomizeNormalizationForParityChecks(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for (_, layer) in namedLayers() {
            if let norm = layer as? BatchNorm2d {
                let shape = norm.weight.value.shape
                norm.weight.value = Tensor.randomUniform(shape, lowerBound: 0.5, upperBound: 1.5, generator: &generator)
                norm.bias.value = Tensor.randomNormal(shape, standardDeviation: 0.1, generator: &generator)
                norm.statistics.mean = Tensor.randomNormal(shape, standardDeviation: 0.1, generator: &generator)
                norm.statistics.variance = Tensor.randomUniform(shape, lowerBound: 0.5, upperBound: 1.5, generator: &generator)
            } else if let block = layer as? ConvNeXt.Block {
                block.layerScale.value = Tensor.randomUniform(block.layerScale.value.shape, lowerBound: 0.05, upperBound: 0.2,
                                                              generator: &generator)
            }
        }
    }
}
