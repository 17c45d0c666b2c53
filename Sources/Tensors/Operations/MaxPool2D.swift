/// 2-D max pooling of NHWC activations `[batch, height, width, channels]` (PyTorch `max_pool2d`,
/// floor mode); padded positions never win. `stride` defaults to `kernelSize`.
public func maxPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Padding2D = .zero,
                      dilation: Int = 1) -> Tensor {
    Tensor.pool2d("maxPool2d", input,
                  window: Window2D(kernelHeight: kernelSize, kernelWidth: kernelSize, strideY: stride ?? kernelSize,
                                   strideX: stride ?? kernelSize, dilationY: dilation, dilationX: dilation, padding: padding),
                  mode: .max)
}
