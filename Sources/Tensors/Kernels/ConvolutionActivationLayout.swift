import Foundation
/// Where a direct convolution keeps activations while its primitive runs (a Winograd convolution,
/// see `ConvolutionAlgorithm`, always computes in oneDNN's blocked layout).
package enum ConvolutionActivationLayout: Int, Hashable, Sendable {
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

extension ConvolutionActivationLayout {
    /// The layout the `conv2d` and `transposedConv2d` operations use: `nhwc`, whose results are
    /// bit-identical from run to run, unless the environment variable `LEUKEMIA_CONV_AUTOTUNE=1`
    /// asks for `fastest`, whose choice depends on timings and so may differ between processes
    /// (and with it the last bits of results: a resumed training would no longer equal an
    /// uninterrupted one).
    package static let operationDefault: ConvolutionActivationLayout =
        ProcessInfo.processInfo.environment["LEUKEMIA_CONV_AUTOTUNE"] == "1" ? .fastest : .nhwc
}
