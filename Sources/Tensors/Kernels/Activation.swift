internal import CDNNL

/// Pointwise activation functions: computed on their own by `EltwiseKernel`, or fused into the
/// operation before them (a convolution's post-op, a batch normalization's clamp) where that
/// operation supports them. A recorded (training) convolution fuses only those whose gradient the
/// output gives (`backwardUsesOutput`), since the pre-activation is then not kept.
public enum Activation: Int, Hashable, Sendable, CaseIterable {
    /// max(0, x).
    case relu
    /// min(max(0, x), 6).
    case relu6
    /// x * Phi(x) with the exact (erf) normal CDF, PyTorch's default GELU.
    case gelu
    /// x * sigmoid(x) (SiLU, swish with beta 1).
    case silu
    /// 1 / (1 + exp(-x)).
    case sigmoid
    /// (e^x - e^-x) / (e^x + e^-x).
    case tanh

    /// oneDNN's algorithm for the function with its alpha and beta, and the algorithm's
    /// `use_dst_for_bwd` variant where the output gives the gradient (ReLU's `y > 0`, ReLU6's
    /// `0 < y < 6`, the sigmoid's `y (1 - y)`, tanh's `1 - y²`; GELU's and SiLU's need the input).
    private var oneDNN: (algorithm: dnnl_alg_kind_t, fromOutput: dnnl_alg_kind_t?, alpha: Float, beta: Float) {
        switch self {
        case .relu: return (dnnl_eltwise_relu, dnnl_eltwise_relu_use_dst_for_bwd, 0, 0)
        case .relu6: return (dnnl_eltwise_clip, dnnl_eltwise_clip_v2_use_dst_for_bwd, 0, 6)
        case .gelu: return (dnnl_eltwise_gelu_erf, nil, 0, 0)
        case .silu: return (dnnl_eltwise_swish, nil, 1, 0)
        case .sigmoid: return (dnnl_eltwise_logistic, dnnl_eltwise_logistic_use_dst_for_bwd, 0, 0)
        case .tanh: return (dnnl_eltwise_tanh, dnnl_eltwise_tanh_use_dst_for_bwd, 0, 0)
        }
    }

    /// Whether the backward pass reads the forward output (true) or the forward input (false);
    /// keep that buffer from the forward pass.
    package var backwardUsesOutput: Bool { oneDNN.fromOutput != nil }

    /// The operation `EltwiseKernel` runs: the `use_dst_for_bwd` variant where the output suffices.
    var eltwise: EltwiseOperation {
        let function = oneDNN
        return EltwiseOperation(algorithm: function.fromOutput ?? function.algorithm, alpha: function.alpha, beta: function.beta)
    }

    /// The same function as a primitive's eltwise post-op (oneDNN takes no `use_dst_for_bwd`
    /// algorithm there).
    var postOp: EltwiseOperation {
        let function = oneDNN
        return EltwiseOperation(algorithm: function.algorithm, alpha: function.alpha, beta: function.beta)
    }

    /// The upper end of the clamp ReLU (infinite) and ReLU6 (6) apply, the only activations that
    /// the engine's own kernels (batch norm + activation, Winograd's output transform) compute;
    /// nil for the others.
    var clampUpperBound: Float? {
        switch self {
        case .relu: return .infinity
        case .relu6: return 6
        case .gelu, .silu, .sigmoid, .tanh: return nil
        }
    }

    /// The activation's part of a primitive cache key: 1...6 (0 stands for none).
    var keyParameter: Int { rawValue + 1 }
}
