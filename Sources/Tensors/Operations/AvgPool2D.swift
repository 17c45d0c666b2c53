/// 2-D average pooling of NHWC activations `[batch, height, width, channels]` (PyTorch
/// `avg_pool2d`, floor mode). `stride` defaults to `kernelSize`; `countIncludePadding` divides by
/// the full window (true, PyTorch's default) or by the positions inside the image (false).
public func avgPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Padding2D = .zero,
                      countIncludePadding: Bool = true) -> Tensor {
    Tensor.pool2d("avgPool2d", input,
                  window: Window2D(kernelHeight: kernelSize, kernelWidth: kernelSize, strideY: stride ?? kernelSize,
                                   strideX: stride ?? kernelSize, padding: padding),
                  mode: countIncludePadding ? .averageIncludingPadding : .averageExcludingPadding)
}
