/// Where a convolution keeps activations while its primitive runs.
public enum ConvolutionActivationLayout: Int, Hashable, Sendable {
    /// The primitive reads and writes the caller's NHWC buffers directly.
    case nhwc
    /// oneDNN picks its preferred (usually channel-blocked) layout; inputs and outputs are reordered
    /// from and to NHWC around every call.
    case primitivePreferred
}
