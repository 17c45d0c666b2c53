import NeuralNetworks
import Randomness
import Tensors

/// Attention-based multiple-instance classification of a smear from its cells (Ilse, Tomczak and
/// Welling 2018, gated attention): not an image classifier, it takes bags of cell embeddings.
///
/// Each detected cell of an image is embedded by a frozen CNN body (EfficientNet-Lite0's pooled
/// 1280-d features); the image is the bag `[n, embeddingSize]` of its n cells, n varying from
/// image to image. The network
///
///     projection   h_i = dropout(relu(W_p e_i + b_p))          [n, E] -> [n, L]   (optional)
///     attention    z = Σ_i a_i h_i,  a = softmax(gated scores)  [n, L] -> [1, L] and a [n]
///     classifier   logits = W_c z + b_c                         [1, L] -> [1, k]
///
/// so the attention weights `a` say which cells the decision rests on.
///
/// State-dict keys, as the PyTorch twin in scripts/fixtures/cell_attention.py names them
/// (E = embedding size, L = `instanceSize`, D = attention size, k = class count):
///
///     projection.0.weight [L, E], projection.0.bias [L]      (absent without a projection)
///     attention.attention_V.0.weight [D, L], .bias [D]
///     attention.attention_U.0.weight [D, L], .bias [D]
///     attention.attention_w.weight [1, D], .bias [1]
///     classifier.weight [k, L], classifier.bias [k]
///
/// Initialization: PyTorch's default `nn.Linear` initialization drawn from the seed, as the
/// reference implementation leaves it (torchvision's initializations are for its CNNs and do not
/// apply here).
///
/// A bag of one cell is classified from that cell alone (its weight is 1); a bag of no cells
/// throws `LayerError.emptyBag` (classify such an image from the whole picture instead).
public final class CellAttentionNetwork: Layer {
    /// The sizes of the network.
    public struct Configuration: Codable, Equatable, Sendable {
        /// The length E of a cell embedding (1280: EfficientNet-Lite0's pooled head features).
        public var embeddingSize: Int
        /// The length L of the instance vectors that are pooled: the projection's width, or nil
        /// for no projection (the embeddings are pooled as they are, so L = E).
        public var projectedSize: Int?
        /// The number D of attention units.
        public var attentionSize: Int
        /// The dropout probability after the projection's ReLU (training mode only).
        public var dropoutRate: Float
        /// The number k of classes.
        public var classCount: Int

        /// Sizes with the defaults E 1280, L 128, D 64, dropout 0.25, two classes.
        public init(embeddingSize: Int = 1280, projectedSize: Int? = 128, attentionSize: Int = 64,
                    dropoutRate: Float = 0.25, classCount: Int = 2) {
            self.embeddingSize = embeddingSize
            self.projectedSize = projectedSize
            self.attentionSize = attentionSize
            self.dropoutRate = dropoutRate
            self.classCount = classCount
        }

        /// The length L of the pooled instance vectors.
        public var instanceSize: Int { projectedSize ?? embeddingSize }
    }

    /// `projection`, PyTorch's `nn.Sequential(nn.Linear(E, L), nn.ReLU(), nn.Dropout(p))`:
    /// `[n, E]` -> `[n, L]`; keys `projection.0.weight`, `projection.0.bias`.
    public final class InstanceProjection: Layer {
        /// `projection.0`: `weight [L, E]`, `bias [L]`.
        public let linear: Linear
        /// `projection.2`.
        public let dropout: Dropout
        public var isTraining = true

        init(embeddingSize: Int, projectedSize: Int, dropoutRate: Float, generator: inout SeededGenerator) throws {
            linear = try Linear(inFeatures: embeddingSize, outFeatures: projectedSize, generator: &generator)
            dropout = try Dropout(rate: dropoutRate, seed: generator.next())
        }

        public var children: [NamedLayer] { [("0", linear), ("1", ReLU()), ("2", dropout)] }

        /// `embeddings [n, E]` -> `[n, L]`.
        public func callAsFunction(_ embeddings: Tensor) -> Tensor {
            dropout(relu(linear(embeddings)))
        }
    }

    /// The configuration the network was built from.
    public let configuration: Configuration
    /// `projection`, or nil when the embeddings are pooled as they are.
    public let projection: InstanceProjection?
    /// `attention`, the gated attention pooling of the instance vectors.
    public let attention: GatedAttentionPooling
    /// `classifier`: `weight [k, L]`, `bias [k]`.
    public let classifier: Linear
    public var isTraining = true

    /// A network of `configuration`'s sizes with PyTorch's default initialization drawn from `seed`
    /// (projection, then attention V, U, w, then classifier).
    /// - Throws: `ModelZooError.invalidConfiguration` for a non-positive size or a dropout outside [0, 1).
    public init(configuration: Configuration, seed: UInt64) throws {
        let name = "CellAttentionNetwork"
        let sizes = [("embedding size", configuration.embeddingSize), ("instance size", configuration.instanceSize),
                     ("attention size", configuration.attentionSize), ("class count", configuration.classCount)]
        for (label, size) in sizes {
            try ModelZooError.check(size > 0, name, "\(label) \(size) must be positive")
        }
        try ModelZooError.check((0..<1).contains(configuration.dropoutRate), name,
                                "dropout rate \(configuration.dropoutRate) must be in [0, 1)")
        var generator = SeededGenerator(seed: seed)
        projection = try configuration.projectedSize.map {
            try InstanceProjection(embeddingSize: configuration.embeddingSize, projectedSize: $0,
                                   dropoutRate: configuration.dropoutRate, generator: &generator)
        }
        attention = try GatedAttentionPooling(featureCount: configuration.instanceSize,
                                              attentionSize: configuration.attentionSize, generator: &generator)
        classifier = try Linear(inFeatures: configuration.instanceSize, outFeatures: configuration.classCount,
                                generator: &generator)
        self.configuration = configuration
    }

    public var children: [NamedLayer] {
        var result: [NamedLayer] = []
        if let projection { result.append(("projection", projection)) }
        return result + [("attention", attention), ("classifier", classifier)]
    }

    /// The logits `[1, k]` of one bag of cell embeddings `[n, E]` and the attention weights `[n]`
    /// of its cells (summing to 1).
    /// - Throws: `LayerError.emptyBag` when the bag has no cells.
    public func logits(bag: Tensor) throws -> (logits: Tensor, attention: Tensor) {
        let batch = try logits(bags: [bag])
        return (batch.logits, batch.attention[0])
    }

    /// The logits `[B, k]` of B bags (row b for `bags[b]`, each `[n_b, E]`), and each bag's
    /// attention weights `[n_b]`: a mini-batch for training, whose mean loss is
    /// `softmaxCrossEntropy(logits: logits, labels: labels)`.
    /// - Throws: `LayerError.emptyBag` when a bag has no cells.
    public func logits(bags: [Tensor]) throws -> (logits: Tensor, attention: [Tensor]) {
        let operation = "CellAttentionNetwork.logits(bags:)"
        guard !bags.isEmpty else { Tensor.fail(.invalidArgument(operation: operation, message: "no bags")) }
        for bag in bags {
            guard bag.rank == 2, bag.shape[1] == configuration.embeddingSize else {
                Tensor.fail(.invalidShape(operation: operation, shape: bag.shape,
                                          expected: "a bag [cells, \(configuration.embeddingSize)]"))
            }
            guard bag.shape[0] > 0 else { throw LayerError.emptyBag(layer: "CellAttentionNetwork") }
        }
        let pooled = try bags.map { bag in try attention.pool(projection.map { $0(bag) } ?? bag) }   // [1, L] and [n_b]
        let logits = classifier(Tensor(concatenating: pooled.map(\.pooled), alongAxis: 0))   // [B, L] -> [B, k]
        return (logits, pooled.map(\.weights))
    }

    /// The logits `[1, k]` of one bag `[n, E]`. An empty bag stops the program (a `Layer` cannot
    /// throw): call `logits(bag:)` where a bag may be empty.
    public func callAsFunction(_ bag: Tensor) -> Tensor {
        do {
            return try logits(bag: bag).logits
        } catch {
            fatalError("\(error)")
        }
    }
}
