import NeuralNetworks
import Tensors

extension EfficientNetLite: InferenceOptimizable {
    /// EfficientNet-Lite for inference: every batch norm folded into its convolution, every ReLU6
    /// and every block's residual add fused into it, dropout and drop-connect dropped; large batches
    /// run in passes of `InferenceNetwork.cacheSizedPassPixels`. Activations stay in the CPU's
    /// channel-blocked format (`ActivationFormat.nativeChannelBlocked`) from the stem to the head,
    /// where oneDNN's blocked kernels (`jit_1x1`, `jit_dw`) run the narrow layers faster than its NHWC
    /// ones (`brgconv_1x1`, `brdgmm_dw`): batch 16 at 210–255 images/s against 163–223 on AVX-512,
    /// 136–145 against 114–119 with `ONEDNN_MAX_CPU_ISA=AVX2` (`model-benchmark --no-python --runs 9`,
    /// alternating, Intel Xeon with avx512f, 2 cores, 2026-12-07).
    public func optimizedForInference() -> InferenceNetwork {
        let format = ActivationFormat.nativeChannelBlocked
        let stem = InferenceConvolution(convStem, foldingIn: bn0, activation: .relu6)
        let blockForwards: [(FormattedActivations) -> FormattedActivations] = blocks.children.compactMap {
            ($0.layer as? MBConvBlock).map { Self.inferenceBlock($0, format: format) }
        }
        let headConvolution = InferenceConvolution(convHead, foldingIn: bn1, activation: .relu6)
        let output = InferenceLinear(fc)
        return InferenceNetwork(body: { images in
            let imagesPerPass = Swift.max(1, InferenceNetwork.cacheSizedPassPixels / (images.shape[1] * images.shape[2]))
            return images.inSubBatches(ofAtMost: imagesPerPass) { part in
                let features = blockForwards.reduce(stem(FormattedActivations(part), outputFormat: format)) { x, block in block(x) }
                return globalAvgPool2d(headConvolution(features, outputFormat: format).nhwc())
            }
        }, head: { output($0) })
    }

    private static func inferenceBlock(_ block: MBConvBlock, format: ActivationFormat) -> (FormattedActivations) -> FormattedActivations {
        var expand: InferenceConvolution?
        if let expandConv = block.expandConv, let bn0 = block.bn0 {
            expand = InferenceConvolution(expandConv, foldingIn: bn0, activation: .relu6)
        }
        let depthwise = InferenceConvolution(block.depthwiseConv, foldingIn: block.bn1, activation: .relu6)
        let project = InferenceConvolution(block.projectConv, foldingIn: block.bn2)
        let hasResidual = block.hasResidual
        return { x in
            let expanded = expand.map { $0(x, outputFormat: format) } ?? x
            return project(depthwise(expanded, outputFormat: format), adding: hasResidual ? x : nil, outputFormat: format)
        }
    }
}
