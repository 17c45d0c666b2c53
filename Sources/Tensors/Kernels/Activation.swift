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

    /// Whether the backward pass reads the forward output (true) or the forward input (false);
    /// keep that buffer from the forward pass. ReLU's gradient is `y > 0`, ReLU6's `0 < y < 6`,
    /// the sigmoid's `y (1 - y)`, tanh's `1 - y²`; GELU's and SiLU's need the input.
    package var backwardUsesOutput: Bool {
        switch self {
        case .relu, .relu6, .sigmoid, .tanh: return true
        case .gelu, .silu: return false
        }
    }

    /// oneDNN algorithm and parameters (the `use_dst_for_bwd` variants where the output suffices).
    var eltwise: EltwiseOperation {
        switch self {
        case .relu: return EltwiseOperation(algorithm: dnnl_eltwise_relu_use_dst_for_bwd, alpha: 0, beta: 0)
        case .relu6: return EltwiseOperation(algorithm: dnnl_eltwise_clip_v2_use_dst_for_bwd, alpha: 0, beta: 6)
        case .gelu: return EltwiseOperation(algorithm: dnnl_eltwise_gelu_erf, alpha: 0, beta: 0)
        case .silu: return EltwiseOperation(algorithm: dnnl_eltwise_swish, alpha: 1, beta: 0)
        case .sigmoid: return EltwiseOperation(algorithm: dnnl_eltwise_logistic_use_dst_for_bwd, alpha: 0, beta: 0)
        case .tanh: return EltwiseOperation(algorithm: dnnl_eltwise_tanh_use_dst_for_bwd, alpha: 0, beta: 0)
        }
    }

    /// The same function as a primitive's eltwise post-op (oneDNN takes no `use_dst_for_bwd`
    /// algorithm there).
    var postOp: EltwiseOperation {
        switch self {
        case .relu: return EltwiseOperation(algorithm: dnnl_eltwise_relu, alpha: 0, beta: 0)
        case .relu6: return EltwiseOperation(algorithm: dnnl_eltwise_clip, alpha: 0, beta: 6)
        case .gelu: return EltwiseOperation(algorithm: dnnl_eltwise_gelu_erf, alpha: 0, beta: 0)
        case .silu: return EltwiseOperation(algorithm: dnnl_eltwise_swish, alpha: 1, beta: 0)
        case .sigmoid: return EltwiseOperation(algorithm: dnnl_eltwise_logistic, alpha: 0, beta: 0)
        case .tanh: return EltwiseOperation(algorithm: dnnl_eltwise_tanh, alpha: 0, beta: 0)
        }
    }

    /// The activation's part of a primitive cache key: 1...6 (0 stands for none).
    var keyParameter: Int { rawValue + 1 }
}
