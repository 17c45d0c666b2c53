internal import CDNNL

/// What an inference convolution does to its result in the same pass, in this order: add a
/// residual tensor of the output's shape and layout (ResNet/ConvNeXt skip connections), then
/// apply an activation.
struct ConvolutionPostOps: Hashable, Sendable {
    /// Whether a residual is added (its buffer is passed at execution).
    var addsResidual: Bool
    /// The activation applied last, if any.
    var activation: Activation?

    init(addsResidual: Bool = false, activation: Activation? = nil) {
        self.addsResidual = addsResidual
        self.activation = activation
    }

    /// Nothing after the convolution.
    static let none = ConvolutionPostOps()

    /// The execution argument of the residual: source 1 of the first post-op.
    static let residualArgument = DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1

    var keyParameter: Int { (addsResidual ? 8 : 0) + (activation?.keyParameter ?? 0) }

    /// The oneDNN post-ops; the residual's layout is `outputDescriptor`, the caller's output layout.
    func dnnlPostOps(outputDescriptor: MemoryDescriptor) -> [DNNLPostOp] {
        (addsResidual ? [.add(outputDescriptor)] : []) + (activation.map { [.eltwise($0.postOp)] } ?? [])
    }
}

/// One step of a oneDNN post-op chain.
enum DNNLPostOp {
    case eltwise(EltwiseOperation)
    /// Adds a tensor of the given layout elementwise.
    case add(MemoryDescriptor)
    /// Multiplies by a tensor of the given layout elementwise.
    case multiply(MemoryDescriptor)
}
