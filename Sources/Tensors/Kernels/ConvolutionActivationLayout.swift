/// Where a convolution keeps activations while its primitive runs.
public enum ConvolutionActivationLayout: Int, Hashable, Sendable {
    /// The primitive reads and writes the caller's NHWC buffers directly.
    case nhwc
    /// oneDNN picks its preferred (usually channel-blocked) layout; inputs and outputs are reordered
    /// from and to NHWC around every call.
    case primitivePreferred
    /// Times `nhwc` and `primitivePreferred` for each pass on first use (a few runs on scratch
    /// buffers) and keeps the faster: neither wins everywhere with oneDNN 2.6 (e.g. NHWC forward is
    /// faster on most shapes, blocked backward-data on 512-channel layers).
    case fastest
}
