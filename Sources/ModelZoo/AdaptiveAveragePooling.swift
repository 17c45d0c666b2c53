import NeuralNetworks
import Tensors

/// Adaptive average pooling of NHWC activations to `outputSize x outputSize`, PyTorch's
/// `nn.AdaptiveAvgPool2d` for every input size: output cell `i` averages input rows
/// `floor(i·H/out) ..< ceil((i+1)·H/out)` (bins may overlap when H is not a multiple), likewise
/// for columns. VGG uses it to bring any input to its classifier's 7 x 7.
final class AdaptiveAveragePooling: Layer {
    let outputSize: Int
    var isTraining = true

    init(outputSize: Int) {
        self.outputSize = outputSize
    }

    /// `x [batch, height, width, channels]` -> `[batch, outputSize, outputSize, channels]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (height, width) = (x.shape[1], x.shape[2])
        if height == outputSize && width == outputSize { return x }
        if height == width && height % outputSize == 0 {
            return avgPool2d(x, kernelSize: height / outputSize)
        }
        return pooledAlong(axis: 2, pooledAlong(axis: 1, x))
    }

    /// The bin means along `axis` (1 = height, 2 = width), concatenated in order.
    private func pooledAlong(axis: Int, _ x: Tensor) -> Tensor {
        let extent = x.shape[axis]
        if extent == outputSize { return x }
        let bins = (0..<outputSize).map { cell -> Tensor in
            let start = cell * extent / outputSize
            let end = ((cell + 1) * extent + outputSize - 1) / outputSize
            return x.sliced(alongAxis: axis, start..<end).mean(alongAxes: [axis], keepingDimensions: true)
        }
        return Tensor(concatenating: bins, alongAxis: axis)
    }
}
