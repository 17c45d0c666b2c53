/// Mean over height and width of NHWC activations: `[batch, height, width, channels]` ->
/// `[batch, channels]` (PyTorch `adaptive_avg_pool2d(x, 1)` followed by flattening).
public func globalAvgPool2d(_ input: Tensor) -> Tensor {
    input.checkNHWC("globalAvgPool2d")
    let pooled = Tensor.pool2d("globalAvgPool2d", input,
                               window: Window2D(kernelHeight: input.shape[1], kernelWidth: input.shape[2]),
                               mode: .averageExcludingPadding)
    return pooled.reshaped(to: [input.shape[0], input.shape[3]])
}
