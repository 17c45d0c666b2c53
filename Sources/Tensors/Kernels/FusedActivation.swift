internal import CDNNL

/// An activation a convolution applies to its output in the same pass: always when nothing is
/// recorded (inference), and in training for those whose gradient the output alone gives (ReLU,
/// ReLU6: `recordsFused`).
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

    /// The same function as an `EltwiseKernel` activation (whose backward pass a fused training
    /// convolution runs on its output).
    var pointwise: Activation {
        switch self {
        case .relu: return .relu
        case .relu6: return .relu6
        case .gelu: return .gelu
        }
    }

    /// Whether a recorded (training) convolution fuses it: its gradient is a function of the output
    /// (ReLU's `y > 0`, ReLU6's `0 < y < 6`), so the pre-activation need not be kept. GELU's needs
    /// the pre-activation, so it runs as its own operation in training.
    var recordsFused: Bool { pointwise.backwardUsesOutput }

    var keyParameter: Int {
        switch self {
        case .relu: return 1
        case .relu6: return 2
        case .gelu: return 3
        }
    }
}
