/// bf16 values as the Swift kernels read and write them: the upper 16 bits of an FP32 value (its sign,
/// 8-bit exponent and top 7 stored significand bits), in integer arithmetic the compiler vectorizes.
enum BFloat16Bits {
    /// `value` rounded to the nearest bf16 (ties to even), with subnormals flushed to zero of their
    /// sign: what oneDNN's conversion to bf16 gives on CPUs with native bf16 (their `vcvtneps2bf16`
    /// treats subnormals as zero). NaNs stay NaNs but for those whose payload's top 7 bits are all
    /// set (the rounding carries them into infinity; canonical NaNs are not such).
    @inline(__always)
    static func rounding(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let flushed = bits & ((bits & 0x7F80_0000) == 0 ? 0x8000_0000 : 0xFFFF_FFFF)
        return UInt16(truncatingIfNeeded: (flushed &+ 0x7FFF &+ ((flushed >> 16) & 1)) >> 16)
    }

    /// The FP32 value of bf16 bits (exact: every bf16 value is an FP32 value).
    @inline(__always)
    static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }
}
