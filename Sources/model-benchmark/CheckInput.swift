import Randomness
import Tensors

/// The seeded images of the benchmark: standard normal like normalized photographs.
enum CheckInput {
    static func images(batch: Int, size: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal([batch, size, size, 3], generator: &generator)
    }
}
