internal import CDNNL

/// How oneDNN computes a convolution.
package enum ConvolutionAlgorithm: Int, Hashable, Sendable {
    /// Direct convolution (oneDNN's brgconv/jit kernels), on the caller's NHWC buffers by default.
    case direct
    /// Winograd F(4x4, 3x3) (oneDNN 2.6's `jit_wino_4x3`): 2-4.5x faster than `direct` on 3x3 layers
    /// with 64 or more channels, for every pass. It works only on oneDNN's channel-blocked
    /// activations, so NHWC buffers are reordered around each call. Its results differ from
    /// `direct` by rounding (about 1e-6 of the output scale), and are the same from run to run.
    case winograd

    var dnnlAlgorithm: dnnl_alg_kind_t {
        self == .winograd ? dnnl_convolution_winograd : dnnl_convolution_direct
    }

    /// Whether oneDNN 2.6 has a Winograd kernel for `geometry`: a plain (not transposed, not grouped)
    /// 3x3 convolution with stride 1, dilation 1 and at most one row or column of padding per side.
    package static func winogradSupports(_ geometry: Convolution2DGeometry) -> Bool {
        let window = geometry.window, padding = window.padding
        return window.kernelHeight == 3 && window.kernelWidth == 3 && window.strideY == 1 && window.strideX == 1
            && window.dilationY == 1 && window.dilationX == 1 && geometry.groups == 1
            && [padding.top, padding.bottom, padding.left, padding.right].allSatisfy { (0...1).contains($0) }
    }

    /// Most input pixels (images × height × width) of one Winograd call; larger batches run in
    /// sub-batches (`Convolution2DKernel.imagesPerCall`): 16 images at 56x56, 4 at 112x112, 1 at 224x224.
    package static let winogradPixelsPerCall = 16 * 56 * 56

    /// Fewest input and output channels for which the static rule picks Winograd.
    package static let winogradMinimumChannels = 64

    /// The algorithm `Convolution2DKernel` uses when none is forced: a static rule on the shape,
    /// never on timings, so results are the same in every process. Winograd where it is supported
    /// and both channel counts are at least `winogradMinimumChannels`, direct otherwise.
    ///
    /// Measured with oneDNN 2.6 on 2 AVX-512 cores, batch 16, including the NHWC reorders
    /// (forward / backward-data / backward-weights milliseconds, direct vs Winograd):
    /// 128->128 @112 536/580/854 vs 244/265/322; 512->512 @28 688/988/574 vs 188/177/216;
    /// 64->64 @224 550/589/711 vs 296/308/450; 64->64 @56 49/61/60 vs 31/27/50. Below 64 channels
    /// Winograd stops paying: 3->64 @224 40/225/81 vs 115/157/150, 128->32 @56 53/40/59 vs 40/77/144;
    /// a 32-channel threshold (DenseNet-201's 3x3 128->32 layers, mostly at 14x14 and 7x7) made
    /// DenseNet-201 inference 2.3-2.6 instead of 4.0-4.2 images/s (alternating runs under load).
    ///
    /// On a CPU where oneDNN has no Winograd kernel (`winogradIsAvailable` false: AVX2 only, e.g.
    /// AMD Zen 3) every convolution is direct, on NHWC in whole batches, never in Winograd's
    /// sub-batches or channel-blocked copies.
    package static func staticChoice(for geometry: Convolution2DGeometry) -> ConvolutionAlgorithm {
        let wide = min(geometry.inputChannels, geometry.outputChannels) >= winogradMinimumChannels
        return wide && winogradIsAvailable && winogradSupports(geometry) ? .winograd : .direct
    }

    /// Whether oneDNN has Winograd kernels on this CPU: oneDNN 2.6's `jit_avx512_core_f32_wino_conv_*`
    /// need AVX-512 (`OneDNNLibrary.instructionSet` avx512_core or above; `ONEDNN_MAX_CPU_ISA=AVX2`
    /// makes an AVX-512 machine answer as an AVX2 one).
    package static let winogradIsAvailable = OneDNNLibrary.instructionSet.hasPrefix("avx512_core")
}
