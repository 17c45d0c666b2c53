import NeuralNetworks
import Tensors

extension HybridNetwork: InferenceOptimizable {
    /// The hybrid for inference: the backbone's own optimized network (its `features`), the U-Net
    /// branch with each ReLU fused into its convolution, only the stages that feed the classifier
    /// (the study's dead decoder stages are skipped even where `computesStagesAfterFlattened` is
    /// set: they change no logit; `UNetBranch.inferenceFeatures()`), and the dense head with dropout
    /// dropped and its batch norms as per-feature affine maps. A backbone the zoo cannot optimize
    /// runs its own `features(_:)` in the mode it is in.
    public func optimizedForInference() -> InferenceNetwork {
        let mask = configuration.purpleMask
        let unetFeatures = unet.inferenceFeatures()
        let backboneFeatures: (Tensor) -> Tensor
        if let fast = backbone.inferenceNetworkIfOptimizable() {
            backboneFeatures = { fast.features($0) }
        } else {
            backboneFeatures = { [backbone] in backbone.features($0) { $1 } }
        }
        let hidden = denseHead.inferenceHiddenLayers()
        let output = InferenceLinear(denseHead.output)
        return InferenceNetwork(body: { [self] x in
            checkInput(x)
            let branches = Tensor(concatenating: [unetFeatures(mask.maskedPixels(x)), backboneFeatures(x)], alongAxis: 1)
            return hidden.reduce(branches) { features, layer in layer(features) }
        }, head: { output($0) })
    }
}

extension HybridNetwork.UNetBranch {
    /// `flattenedFeatures(_:)` for inference, `[batch, imageSize, imageSize, 3]` -> `[batch,
    /// flattenedFeatureCount]`: stages `conv1` ... `conv<flattenedStage>` only, each convolution's
    /// ReLU fused, on NHWC tensors in passes of `InferenceNetwork.cacheSizedPassPixels`. NHWC, not
    /// the channel-blocked format of EfficientNet-Lite's chain: oneDNN's NHWC kernels (`brgconv`) run
    /// the 16-channel layers at 224x224 faster than its blocked ones, the image needs no reorder into
    /// a blocked first convolution, and the decoder's up-convolution and concatenation are NHWC.
    /// Light hybrid on EfficientNet-Lite0, batch 16, alternating in one build (`model-benchmark
    /// --no-python --runs 5`, Intel Xeon with avx512f, 2 cores, 2026-12-07): 74–79 images/s against
    /// 65–71 blocked; with `ONEDNN_MAX_CPU_ISA=AVX2` 53–54 against 41–43.
    func inferenceFeatures() -> (Tensor) -> Tensor {
        let lastStage = configuration.flattenedStage
        let convolutions: [[InferenceConvolution]] = stages.prefix(lastStage).map { stage in
            stage.children.compactMap { $0.layer as? Conv2d }.map { InferenceConvolution($0, activation: .relu) }
        }
        let upConvolutions = upConvolutions.map { (weight: $0.weight.value.detached(), bias: $0.bias.value.detached()) }
        let imagesPerPass = Swift.max(1, InferenceNetwork.cacheSizedPassPixels / (imageSize * imageSize))
        // `self` only for its configuration: every weight used is one of the snapshots above.
        return { [self] pixels in
            pixels.inSubBatches(ofAtMost: imagesPerPass) { part in
                let outputs = stageOutputs(part, through: lastStage, upConvolution: { index, x in
                    transposedConv2d(x, weight: upConvolutions[index].weight, bias: upConvolutions[index].bias, stride: 2,
                                     padding: HybridNetwork.UpConvolution.padding)
                }) { stage, input in
                    convolutions[stage - 1].reduce(input) { x, convolution in convolution(x) }
                }
                return flattened(outputs[lastStage - 1])
            }
        }
    }
}

extension HybridNetwork.DenseHead {
    /// `hiddenFeatures(_:)` in evaluation mode as one function per hidden layer: the dense layer
    /// with its ReLU, then the batch norm on its running statistics as `x · scale + shift` per
    /// feature; dropout is the identity.
    func inferenceHiddenLayers() -> [(Tensor) -> Tensor] {
        zip(dense, norms).map { linear, norm in
            let layer = InferenceLinear(linear, relu: true), affine = FoldedBatchNorm(norm)
            let scale = Tensor(affine.scale), shift = Tensor(affine.shift)
            return { layer($0) * scale + shift }
        }
    }
}
