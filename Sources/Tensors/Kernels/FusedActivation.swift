internal import CDNNL

/// An activation a convolution applies to its output in the same pass (inference only).
public enum FusedActivation: Hashable, Sendable {
    /// max(0, x).
    case relu
    /// min(max(0, x), 6).
    case relu6
    /// x · Φ(x), the exact (erf) GELU.
    case gelu

    var postOp: EltwiseOperation {
        switch self {
        case .relu: return EltwiseOperation(algorithm: dnnl_eltwise_relu, alpha: 0, beta: 0)
        case .relu6: return EltwiseOperation(algorithm: dnnl_eltwise_clip, alpha: 0, beta: 6)
        case .gelu: return EltwiseOperation(algorithm: dnnl_eltwise_gelu_erf, alpha: 0, beta: 0)
        }
    }

    var keyParameter: Int {
        switch self {
        case .relu: return 1
        case .relu6: return 2
        case .gelu: return 3
        }
    }
}
