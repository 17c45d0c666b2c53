import NeuralNetworks
import Randomness
import Tensors

extension HybridNetwork {
    /// The study's classifier on the concatenated branch features: for each hidden width a Keras
    /// `Dense(width, activation: relu, kernel_regularizer: l2(l2))`, `BatchNormalization()` and
    /// `Dropout(dropout)`, then a linear `output` to the class scores (the softmax is left to the
    /// loss, `softmaxCrossEntropy`, or to the caller).
    ///
    /// Keys: `dense<i>.weight [width, in]`, `dense<i>.bias`, `norm<i>.weight`, `norm<i>.bias`,
    /// `norm<i>.running_mean`, `norm<i>.running_var`, `norm<i>.num_batches_tracked` (i = 1, 2, ...),
    /// `output.weight [classCount, lastWidth]`, `output.bias`. The batch norms use Keras' defaults
    /// (epsilon 1e-3, moving-average momentum 0.99, i.e. PyTorch momentum 0.01).
    public final class DenseHead: Layer {
        /// The head's widths and regularization.
        public struct Configuration: Codable, Equatable, Sendable {
            /// The hidden widths, input side first.
            public var widths: [Int]
            /// The dropout probability after each hidden layer.
            public var dropout: Float
            /// Keras' `l2` factor of the hidden layers' weights: the penalty is `l2 · Σ w²`.
            public var l2: Float
            public var classCount: Int

            private enum CodingKeys: String, CodingKey {
                case widths, dropout, l2, classCount = "class_count"
            }

            public init(widths: [Int], dropout: Float, l2: Float, classCount: Int) {
                self.widths = widths
                self.dropout = dropout
                self.l2 = l2
                self.classCount = classCount
            }

            /// The study's head: 512, 256, 128, dropout 0.7, l2 0.01, 4 classes.
            public static let study = Configuration(widths: [512, 256, 128], dropout: 0.7, l2: 0.01, classCount: 4)
        }

        public let configuration: Configuration
        /// `dense1`, `dense2`, ...
        public let dense: [Linear]
        /// `norm1`, `norm2`, ...: batch norms over the features of each hidden layer.
        public let norms: [BatchNorm2d]
        /// `dropout1`, `dropout2`, ... (no parameters).
        public let dropouts: [Dropout]
        /// The final linear layer to the class scores.
        public var output: Linear
        public var isTraining = true

        /// A head on `inFeatures` inputs with Keras' initialization (Glorot-uniform weights, zero
        /// biases) drawn from `generator`.
        /// - Throws: `ModelZooError.invalidConfiguration` for no or non-positive widths, a negative
        ///   l2 factor or fewer than 2 classes; `LayerError` for a dropout outside [0, 1).
        init(inFeatures: Int, configuration: Configuration, generator: inout SeededGenerator) throws {
            let name = "HybridNetwork.DenseHead"
            try ModelZooError.check(!configuration.widths.isEmpty && configuration.widths.allSatisfy { $0 > 0 }, name,
                                    "widths \(configuration.widths) must be at least one positive width")
            try ModelZooError.check(configuration.l2 >= 0 && configuration.l2.isFinite, name,
                                    "l2 factor \(configuration.l2) must be finite and non-negative")
            try ModelZooError.check(configuration.classCount >= 2, name,
                                    "class count \(configuration.classCount) must be at least 2")
            var dense: [Linear] = [], norms: [BatchNorm2d] = [], dropouts: [Dropout] = []
            var features = inFeatures
            for width in configuration.widths {
                dense.append(try HybridNetwork.kerasDense(features, width, generator: &generator))
                norms.append(try BatchNorm2d(width, epsilon: 1e-3, momentum: 0.01))
                dropouts.append(try Dropout(rate: configuration.dropout, seed: generator.next()))
                features = width
            }
            output = try HybridNetwork.kerasDense(features, configuration.classCount, generator: &generator)
            self.dense = dense
            self.norms = norms
            self.dropouts = dropouts
            self.configuration = configuration
        }

        public var children: [(name: String, layer: any Layer)] {
            var result: [(name: String, layer: any Layer)] = []
            for index in dense.indices {
                result += [("dense\(index + 1)", dense[index]), ("norm\(index + 1)", norms[index]),
                           ("dropout\(index + 1)", dropouts[index])]
            }
            return result + [("output", output)]
        }

        /// The weights the study regularizes: those of the hidden dense layers (not biases, not
        /// batch norms, not `output`).
        public var regularizedParameters: [Parameter] { dense.map(\.weight) }

        /// The input of `output`, `[batch, lastWidth]`, for `x [batch, inFeatures]`.
        public func hiddenFeatures(_ x: Tensor) -> Tensor {
            var features = x
            for index in dense.indices {
                let activated = relu(dense[index](features))
                let batch = activated.shape[0], width = activated.shape[1]
                let normalized = norms[index](activated.reshaped(to: [batch, 1, 1, width])).reshaped(to: [batch, width])
                features = dropouts[index](normalized)
            }
            return features
        }

        /// The class scores (logits) `[batch, classCount]`.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            output(hiddenFeatures(x))
        }
    }
}
