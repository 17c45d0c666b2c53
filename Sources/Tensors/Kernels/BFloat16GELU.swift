/// PyTorch's exact GELU, `gelu(x) = x · Φ(x)`, and its slope `gelu'(x) = Φ(x) + x · φ(x)`, of bf16
/// values in one pass (Swift loops the compiler vectorizes, over both cores): the training forward
/// pass of `geluMLP`'s hidden activations under bf16, whose backward pass then multiplies the
/// hidden gradient by the slope inside the product that makes it (a oneDNN post-op), instead of a
/// GELU backward pass that reads the pre-activation again and computes `Φ` and `φ` a second time.
///
/// Each value is read as FP32 (a bf16 value is the high half of an FP32 one), computed in FP32 and
/// rounded once to bf16 as it is stored (`BFloat16Bits.rounding`). Accuracy, ample for values stored
/// with bf16's 8 significant bits (relative rounding up to 2^-9): Φ by Abramowitz & Stegun's 7.1.26
/// (absolute error below 7.5e-8 for every x, which is large relative to Φ only in the far negative
/// tail, where gelu(x) and its slope are below 1e-5 in magnitude), sharing one `exp(-x²/2)` with φ;
/// `exp` by range reduction to `|r| <= ln 2 / 2` and a degree-5 polynomial (relative error below 3e-6).
/// No branches and no selects on loaded values, so that the loops vectorize; the polynomials are
/// evaluated with fused multiply-adds (`addingProduct`), which Swift does not contract `a * b + c` into.
enum BFloat16GELU {
    /// `activated[i] = gelu(input[i])` and `slope[i] = gelu'(input[i])` for `count` bf16 values.
    static func forward(_ input: UnsafeRawPointer, activated: UnsafeMutableRawPointer, slope: UnsafeMutableRawPointer,
                        count: Int) {
        let input = input.assumingMemoryBound(to: UInt16.self)
        let activated = activated.assumingMemoryBound(to: UInt16.self), slope = slope.assumingMemoryBound(to: UInt16.self)
        KernelProfile.measure("GELU and its slope in bf16 (Swift)") {
            Parallel.forEachChunk(count: count, costPerItem: 16) { range in
                for index in range {
                    let x = BFloat16Bits.float(input[index])
                    let gaussian = exponential(-0.5 * x * x)   // φ(x) = exp(-x²/2) / √(2π)
                    let cumulative = cumulativeNormal(x, gaussian: gaussian)
                    activated[index] = BFloat16Bits.rounding(x * cumulative)
                    slope[index] = BFloat16Bits.rounding(cumulative.addingProduct(x * gaussian, 0.398_942_28))
                }
            }
        }
    }

    /// Φ(x) = (1 + erf(x / √2)) / 2, with `gaussian` = exp(-x²/2), by Abramowitz & Stegun 7.1.26:
    /// erf(z) = 1 - t·(a₁ + t·(a₂ + t·(a₃ + t·(a₄ + t·a₅))))·exp(-z²), t = 1 / (1 + p·z), z = |x| / √2;
    /// then Φ(-|x|) = (1 - erf(z)) / 2, and Φ(x) = Φ(-|x|) + [x >= 0] · (1 - 2Φ(-|x|)).
    @inline(__always)
    private static func cumulativeNormal(_ x: Float, gaussian: Float) -> Float {
        let z = x.magnitude * 0.707_106_78
        let t = 1 / Float(1).addingProduct(0.327_591_1, z)
        var p = Float(-1.453_152_027).addingProduct(1.061_405_429, t)
        p = Float(1.421_413_741).addingProduct(p, t)
        p = Float(-0.284_496_736).addingProduct(p, t)
        p = Float(0.254_829_592).addingProduct(p, t)
        let lowerTail = 0.5 * t * p * gaussian   // Φ(-|x|)
        let nonNegative = Float(bitPattern: (~x.bitPattern >> 31) &* 0x3F80_0000)   // 1 where the sign bit is clear, else 0
        return lowerTail + nonNegative * (1 - 2 * lowerTail)
    }

    /// eˣ for x in [-87, 88] (clamped there; e⁻⁸⁷ is near FP32's smallest normal value): x = n ln 2 + r
    /// with n rounded to nearest by adding and subtracting 1.5 · 2²³ (whose low bits then hold n).
    @inline(__always)
    private static func exponential(_ x: Float) -> Float {
        let x = min(max(x, -87), 88)
        let shifted = Float(12_582_912).addingProduct(x, 1.442_695_04)
        let n = shifted - 12_582_912
        let r = x.addingProduct(-n, 0.693_145_75).addingProduct(-n, 1.428_606_8e-6)   // ln 2 in two parts
        var p = Float(1.0 / 24).addingProduct(r, 1.0 / 120)
        p = Float(1.0 / 6).addingProduct(p, r)
        p = Float(0.5).addingProduct(p, r)
        p = Float(1).addingProduct(p, r)
        p = Float(1).addingProduct(p, r)
        let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23   // 2ⁿ's bits
        return p * Float(bitPattern: exponent)
    }
}
