internal import CDNNL

/// The memory order of an activation buffer a caller hands to a kernel. Logical sizes are always
/// batch, height, width, channels.
public enum ActivationFormat: Int, Hashable, Sendable {
    /// `[batch, height, width, channels]`, channels fastest: the `Tensor` layout.
    case nhwc
    /// oneDNN's `nChw16c`: channels in blocks of 16 (the last block zero-padded), stored
    /// `[batch, channels / 16, height, width, 16]`. Winograd convolutions compute in it, so a chain of
    /// them (with poolings between) that keeps it skips the reorders to and from NHWC; direct
    /// convolutions whose input and output are in it compute in it too (EfficientNet's inference).
    case channelBlocked16
    /// oneDNN's `nChw8c`: the same in blocks of 8 channels, the vector width of AVX2 kernels.
    case channelBlocked8

    /// The channel-blocked format whose block is this CPU's vector width as oneDNN uses it: 16
    /// floats with AVX-512, 8 with AVX2 (whose kernels reorder 16-channel blocks around every call).
    public static var nativeChannelBlocked: ActivationFormat {
        let avx512 = dnnl_cpu_isa_avx512_core.rawValue  // oneDNN's ISA values are bit sets: each includes those below it
        return dnnl_get_effective_cpu_isa().rawValue & avx512 == avx512 ? .channelBlocked16 : .channelBlocked8
    }

    var tag: dnnl_format_tag_t {
        switch self {
        case .nhwc: dnnl_nhwc
        case .channelBlocked16: dnnl_nChw16c
        case .channelBlocked8: dnnl_nChw8c
        }
    }

    /// Channels in a block (1 for NHWC).
    var channelBlock: Int {
        switch self {
        case .nhwc: 1
        case .channelBlocked16: 16
        case .channelBlocked8: 8
        }
    }

    /// Floats a buffer in this format holds for the given logical sizes (padding included).
    package func elementCount(batch: Int, height: Int, width: Int, channels: Int) -> Int {
        let stored = (channels + channelBlock - 1) / channelBlock * channelBlock
        return batch * height * width * stored
    }

    /// The oneDNN descriptor of a buffer in this format (logical dims NCHW, as oneDNN orders them).
    func descriptor(batch: Int, height: Int, width: Int, channels: Int, primitive: @autoclosure () -> String) throws
        -> MemoryDescriptor {
        try MemoryDescriptor.make([batch, channels, height, width], tag, primitive: primitive())
    }
}
