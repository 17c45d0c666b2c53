internal import CDNNL

/// Pointwise activation functions computed by `EltwiseKernel`.
package enum Activation: Int, Hashable, Sendable, CaseIterable {
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
    /// keep that buffer from the forward pass.
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
}
