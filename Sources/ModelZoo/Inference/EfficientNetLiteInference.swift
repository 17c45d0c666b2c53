import NeuralNetworks
import Tensors

extension EfficientNetLite: InferenceOptimizable {
    /// EfficientNet-Lite for inference: every batch norm folded into its convolution, every ReLU6
    /// and every block's residual add fused into it, dropout and drop-connect dropped; large batches
    /// run in passes of `InferenceNetwork.cacheSizedPassPixels`.
    public func optimizedForInference() -> InferenceNetwork {
        let stem = InferenceConvolution(convStem, foldingIn: bn0, activation: .relu6)
        let blockForwards: [(Tensor) -> Tensor] = blocks.children.compactMap { ($0.layer as? MBConvBlock).map(Self.inferenceBlock) }
        let headConvolution = InferenceConvolution(convHead, foldingIn: bn1, activation: .relu6)
        let output = InferenceLinear(fc)
        return InferenceNetwork(body: { images in
            let imagesPerPass = Swift.max(1, InferenceNetwork.cacheSizedPassPixels / (images.shape[1] * images.shape[2]))
            return images.inSubBatches(ofAtMost: imagesPerPass) { part in
                globalAvgPool2d(headConvolution(blockForwards.reduce(stem(part)) { x, block in block(x) }))
            }
        }, head: { output($0) })
    }

    private static func inferenceBlock(_ block: MBConvBlock) -> (Tensor) -> Tensor {
        var expand: InferenceConvolution?
        if let expandConv = block.expandConv, let bn0 = block.bn0 {
            expand = InferenceConvolution(expandConv, foldingIn: bn0, activation: .relu6)
        }
        let depthwise = InferenceConvolution(block.depthwiseConv, foldingIn: block.bn1, activation: .relu6)
        let project = InferenceConvolution(block.projectConv, foldingIn: block.bn2)
        let hasResidual = block.hasResidual
        return { x in project(depthwise(expand.map { $0(x) } ?? x), adding: hasResidual ? x : nil) }
    }
}
