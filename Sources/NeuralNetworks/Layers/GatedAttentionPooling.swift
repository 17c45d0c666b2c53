import Randomness
import Tensors

/// Gated attention pooling of a bag of instances for multiple-instance learning (Ilse, Tomczak and
/// Welling 2018, "Attention-based Deep Multiple Instance Learning", the gated attention of eq. 9).
///
/// A bag is a matrix `H [n, L]` of n instance vectors `h_i` (n varies from bag to bag). With
/// `V, U [D, L]` and `w [1, D]` (each with a bias):
///
///     s_i = w · (tanh(V h_i) ⊙ sigmoid(U h_i))     the attention score of instance i
///     a   = softmax(s_1 ... s_n)                     the attention weights, summing to 1
///     z   = Σ_i a_i h_i                              the pooled bag vector
///
/// The modules are named as in the paper's reference implementation (AMLab-Amsterdam/AttentionDeepMIL,
/// `GatedAttention`), so that its state dict loads unchanged:
///
///     attention_V = nn.Sequential(nn.Linear(L, D), nn.Tanh())      keys attention_V.0.weight [D, L], .bias [D]
///     attention_U = nn.Sequential(nn.Linear(L, D), nn.Sigmoid())   keys attention_U.0.weight [D, L], .bias [D]
///     attention_w = nn.Linear(D, 1)                                keys attention_w.weight [1, D], .bias [1]
///
/// Edge cases:
/// - A bag of one instance: the softmax of a single score is exactly 1, so the weight is 1.0 and
///   the pooled vector is the instance itself, whatever the parameters.
/// - A bag of zero instances has nothing to weigh: `pool(_:)` throws `LayerError.emptyBag`
///   (for a smear: no cell was detected, and the caller classifies the whole image instead).
public final class GatedAttentionPooling: Layer {
    /// `attention_V.0`: `weight [D, L]`, `bias [D]`, followed by tanh.
    public let attentionV: Linear
    /// `attention_U.0`: `weight [D, L]`, `bias [D]`, followed by the sigmoid gate.
    public let attentionU: Linear
    /// `attention_w`: `weight [1, D]`, `bias [1]`, the score of a gated instance.
    public let attentionW: Linear
    public var isTraining = true

    /// A pooling of `featureCount`-long instances (L) through an attention layer of `attentionSize`
    /// units (D), with PyTorch's default `nn.Linear` initialization drawn from `generator`
    /// (V, then U, then w, as the reference constructs them).
    /// - Throws: `LayerError.invalidConfiguration` for a non-positive size.
    public init(featureCount: Int, attentionSize: Int, generator: inout SeededGenerator) throws {
        attentionV = try Linear(inFeatures: featureCount, outFeatures: attentionSize, generator: &generator)
        attentionU = try Linear(inFeatures: featureCount, outFeatures: attentionSize, generator: &generator)
        attentionW = try Linear(inFeatures: attentionSize, outFeatures: 1, generator: &generator)
    }

    /// The length L of an instance vector.
    public var featureCount: Int { attentionV.weight.value.shape[1] }

    /// The number D of attention units.
    public var attentionSize: Int { attentionV.weight.value.shape[0] }

    /// The reference's `nn.Sequential` wrappers: their activations have no parameters, so they are
    /// made on demand and only give the keys their `.0`.
    public var children: [NamedLayer] {
        [("attention_V", Sequential(attentionV, Tanh())), ("attention_U", Sequential(attentionU, Sigmoid())),
         ("attention_w", attentionW)]
    }

    /// The unnormalized attention scores `s [n]` of the instances `bag [n, L]` (n may be 0).
    /// Shapes other than `[n, L]` are programmer errors and stop the program.
    public func attentionScores(_ bag: Tensor) -> Tensor {
        checkShape(of: bag)
        let gated = tanh(attentionV(bag)) * sigmoid(attentionU(bag))   // [n, D]
        return attentionW(gated).reshaped(to: [bag.shape[0]])            // [n, 1] -> [n]
    }

    /// The pooled vector `[1, L]` (Σ a_i h_i) and the attention weights `[n]` (softmax of the
    /// scores over the bag) of `bag [n, L]`; gradients flow to the bag and the parameters through both.
    /// - Throws: `LayerError.emptyBag` when n is 0.
    public func pool(_ bag: Tensor) throws -> (pooled: Tensor, weights: Tensor) {
        checkShape(of: bag)
        let count = bag.shape[0]
        guard count > 0 else { throw LayerError.emptyBag(layer: "GatedAttentionPooling") }
        let weights = softmax(attentionScores(bag).reshaped(to: [1, count]))   // [1, n], summing to 1
        return (matmul(weights, bag), weights.reshaped(to: [count]))             // [1, L] and [n]
    }

    /// Stops the program unless `bag` is `[n, L]`: a wrong width is a programmer error.
    private func checkShape(of bag: Tensor) {
        guard bag.rank == 2, bag.shape[1] == featureCount else {
            Tensor.fail(.invalidShape(operation: "GatedAttentionPooling", shape: bag.shape,
                                      expected: "a bag [instances, \(featureCount)]"))
        }
    }

    /// The pooled vector `[1, L]` of `bag [n, L]`. An empty bag stops the program (a `Layer`
    /// cannot throw): call `pool(_:)` where a bag may be empty.
    public func callAsFunction(_ bag: Tensor) -> Tensor {
        do {
            return try pool(bag).pooled
        } catch {
            fatalError("\(error)")
        }
    }
}
