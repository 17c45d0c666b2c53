import NeuralNetworks
import Tensors

extension EfficientNetLite: InferenceOptimizable {
    /// EfficientNet-Lite for inference: every batch norm folded into its convolution, every ReLU6
    /// fused into it, dropout and drop-connect dropped.
    public func optimizedForInference() -> InferenceNetwork {
        let stem = InferenceConvolution(convStem, foldingIn: bn0, activation: .relu6)
        let blockForwards: [(Tensor) -> Tensor] = blocks.children.compactMap { ($0.layer as? MBConvBlock).map(Self.inferenceBlock) }
        let headConvolution = InferenceConvolution(convHead, foldingIn: bn1, activation: .relu6)
        let output = InferenceLinear(fc)
        return InferenceNetwork(body: { images in
            let features = blockForwards.reduce(stem(images)) { x, block in block(x) }
            return globalAvgPool2d(headConvolution(features))
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
        return { x in
            let y = project(depthwise(expand.map { $0(x) } ?? x))
            return hasResidual ? y + x : y
        }
    }
}
