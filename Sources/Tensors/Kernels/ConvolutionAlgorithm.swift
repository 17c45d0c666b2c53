internal import CDNNL

/// How oneDNN computes a convolution.
package enum ConvolutionAlgorithm: Int, Hashable, Sendable {
    /// Direct convolution (oneDNN's brgconv/jit kernels), on the caller's NHWC buffers by default.
    case direct
    /// Winograd F(4x4, 3x3) (oneDNN 2.6's `jit_wino_4x3`, AVX-512 only; oneDNN 3 has no f32 Winograd
    /// kernel on x86, see `winogradIsAvailable`): 2-4.5x faster than `direct` on 3x3 layers
    /// with 64 or more channels, for every pass, with 2.6. It works only on oneDNN's channel-blocked
    /// activations, so NHWC buffers are reordered around each call. Its results differ from
    /// `direct` by rounding (about 1e-6 of the output scale), and are the same from run to run.
    case winograd

    var dnnlAlgorithm: dnnl_alg_kind_t {
        self == .winograd ? dnnl_convolution_winograd : dnnl_convolution_direct
    }

    /// Whether a Winograd kernel (oneDNN 2.6's) can compute `geometry`: a plain (not transposed, not
    /// grouped) 3x3 convolution with stride 1, dilation 1 and at most one row or column of padding per side.
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
    /// Where oneDNN has no Winograd kernel (`winogradIsAvailable` false: oneDNN 3.2 on any CPU, or
    /// 2.6 on AVX2 only, e.g. AMD Zen 3) every convolution is direct for oneDNN, on NHWC in whole
    /// batches, never in Winograd's sub-batches or channel-blocked copies; the inference passes of the
    /// layers `WinogradConvolution.handles` then run the engine's own Winograd instead.
    package static func staticChoice(for geometry: Convolution2DGeometry) -> ConvolutionAlgorithm {
        winogradIsAvailable && winogradPays(for: geometry) ? .winograd : .direct
    }

    /// Whether Winograd pays for `geometry` (oneDNN's or the engine's, `WinogradConvolution`): it
    /// `winogradSupports` the geometry and both channel counts are at least `winogradMinimumChannels`.
    package static func winogradPays(for geometry: Convolution2DGeometry) -> Bool {
        min(geometry.inputChannels, geometry.outputChannels) >= winogradMinimumChannels && winogradSupports(geometry)
    }

    /// Whether oneDNN has Winograd kernels on this CPU, as the loaded library answers: whether it
    /// creates a Winograd forward convolution for a small layer that `winogradSupports` (asked once
    /// per process; an error while asking counts as no). oneDNN 2.6 had them on AVX-512 only
    /// (`jit_avx512_core_f32_wino_conv_*`; `ONEDNN_MAX_CPU_ISA=AVX2` turned them off); oneDNN 3.2 has
    /// no f32 Winograd convolution on x86 at all (its f32 forward list holds brgconv, jit, gemm and
    /// ref kernels only), so with it this is false on every CPU.
    package static let winogradIsAvailable: Bool = {
        let name = "Winograd probe: convolution forward 3x3 s1 p1 1x64x8x8 -> 64"
        do {
            // The engine only, not the context lock: the first caller may already hold the lock.
            let engine = try DNNLContext.shared().engine
            let activations = try MemoryDescriptor.make([1, 64, 8, 8], dnnl_format_tag_any, primitive: name)
            let weights = try MemoryDescriptor.make([64, 64, 3, 3], dnnl_format_tag_any, primitive: name)
            var descriptor: dnnl_primitive_desc_t?
            let status = dnnl_convolution_forward_primitive_desc_create(
                &descriptor, engine, dnnl_forward_training, dnnl_convolution_winograd, activations.handle, weights.handle,
                MemoryDescriptor.none.handle, activations.handle, [1, 1], [0, 0], [1, 1], [1, 1], nil)
            if let descriptor { dnnl_primitive_desc_destroy(descriptor) }
            return status == dnnl_success
        } catch {
            return false
        }
    }()
}
