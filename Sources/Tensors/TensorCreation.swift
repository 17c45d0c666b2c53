import Randomness

/// Tensors of constants and seeded random tensors.
extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(zeroedCount: checkedCount(shape)))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, repeating: 1)
    }

    /// A tensor with every element `value`.
    public static func filled(_ shape: [Int], with value: Float) -> Tensor {
        Tensor(shape: shape, repeating: value)
    }

    /// Independent normal samples, drawn in row-major order from `generator`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = mean + standardDeviation * Float(generator.nextNormal()) }
        }
    }

    /// Independent uniform samples in `[lowerBound, upperBound)`, drawn in row-major order.
    public static func randomUniform(_ shape: [Int], lowerBound: Float = 0, upperBound: Float = 1,
                                     generator: inout SeededGenerator) -> Tensor {
        let width = upperBound - lowerBound
        return Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = lowerBound + width * generator.nextUnitFloat() }
        }
    }
}
