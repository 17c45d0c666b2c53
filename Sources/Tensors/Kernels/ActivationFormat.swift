internal import CDNNL

/// The memory order of an activation buffer a caller hands to a kernel. Logical sizes are always
/// batch, height, width, channels.
public enum ActivationFormat: Int, Hashable, Sendable {
    /// `[batch, height, width, channels]`, channels fastest: the `Tensor` layout.
    case nhwc
    /// oneDNN's `nChw16c`: channels in blocks of 16 (the last block zero-padded), stored
    /// `[batch, channels / 16, height, width, 16]`. Winograd convolutions compute in it, so a chain of
    /// them (with poolings between) that keeps it skips the reorders to and from NHWC.
    case channelBlocked16

    var tag: dnnl_format_tag_t { self == .nhwc ? dnnl_nhwc : dnnl_nChw16c }

    /// Floats a buffer in this format holds for the given logical sizes (padding included).
    package func elementCount(batch: Int, height: Int, width: Int, channels: Int) -> Int {
        let stored = self == .nhwc ? channels : (channels + 15) / 16 * 16
        return batch * height * width * stored
    }

    /// The oneDNN descriptor of a buffer in this format (logical dims NCHW, as oneDNN orders them).
    func descriptor(batch: Int, height: Int, width: Int, channels: Int, primitive: @autoclosure () -> String) throws
        -> MemoryDescriptor {
        try MemoryDescriptor.make([batch, channels, height, width], tag, primitive: primitive())
    }
}
