import Tensors

/// TensorFlow's "SAME" padding for a square input of side `inputSize`, fixed when the layer is
/// built (efficientnet-lite-pytorch's `Conv2dStaticSamePadding`): the output side is
/// `ceil(inputSize / stride)` and the total padding `max((out − 1)·stride + kernel − inputSize, 0)`
/// is split with the smaller half on the top/left, so stride 2 on an even side pads only
/// bottom/right for a 3x3 kernel (0, 1) and (1, 2) for a 5x5 kernel.
func staticSamePadding(inputSize: Int, kernelSize: Int, stride: Int) -> Padding2D {
    let outputSize = (inputSize + stride - 1) / stride
    let total = max((outputSize - 1) * stride + kernelSize - inputSize, 0)
    return Padding2D(top: total / 2, bottom: total - total / 2, left: total / 2, right: total - total / 2)
}

/// The side of the output of a static-"SAME" layer with `stride` on a side of `inputSize`.
func staticSameOutputSize(inputSize: Int, stride: Int) -> Int {
    (inputSize + stride - 1) / stride
}
