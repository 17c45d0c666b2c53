import Tensors

/// 2-D max pooling, PyTorch's `nn.MaxPool2d` (floor mode; padded positions never win).
public final class MaxPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    public var isTraining = true

    /// `stride` defaults to `kernelSize`, as in PyTorch.
    /// - Throws: `LayerError.invalidConfiguration` for non-positive sizes or a padding above half the kernel.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) throws {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        try checkPoolingWindow("MaxPool2d", kernelSize: kernelSize, stride: self.stride, padding: padding, dilation: dilation)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: Padding2D(padding), dilation: dilation)
    }
}

/// 2-D average pooling, PyTorch's `nn.AvgPool2d` (floor mode).
public final class AvgPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// Whether padded positions count in the divisor (PyTorch's default, true).
    public let countIncludePadding: Bool
    public var isTraining = true

    /// `stride` defaults to `kernelSize`, as in PyTorch.
    /// - Throws: `LayerError.invalidConfiguration` for non-positive sizes or a padding above half the kernel.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePadding: Bool = true) throws {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePadding = countIncludePadding
        try checkPoolingWindow("AvgPool2d", kernelSize: kernelSize, stride: self.stride, padding: padding, dilation: 1)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: Padding2D(padding), countIncludePadding: countIncludePadding)
    }
}

/// Adaptive average pooling to `outputSize x outputSize`, PyTorch's `nn.AdaptiveAvgPool2d`, for
/// inputs whose height and width are equal multiples of `outputSize` (every input for size 1,
/// the global average). Output `[batch, outputSize, outputSize, channels]`.
public final class AdaptiveAvgPool2d: Layer {
    public let outputSize: Int
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a non-positive size.
    public init(outputSize: Int) throws {
        try LayerError.check(outputSize > 0, "AdaptiveAvgPool2d(\(outputSize))", "the output size must be positive")
        self.outputSize = outputSize
    }

    /// Stops with a message naming the shape for an input whose sides are not equal multiples of `outputSize`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if outputSize == 1 {
            return globalAvgPool2d(x).reshaped(to: [x.shape[0], 1, 1, x.shape[3]])
        }
        guard x.rank == 4, x.shape[1] == x.shape[2], x.shape[1] % outputSize == 0 else {
            Tensor.fail(.invalidShape(operation: "AdaptiveAvgPool2d(\(outputSize))", shape: x.shape,
                                      expected: "square NHWC input whose side is a multiple of \(outputSize)"))
        }
        let window = x.shape[1] / outputSize
        return window == 1 ? x : avgPool2d(x, kernelSize: window)
    }
}

/// Throws unless the window is valid for PyTorch: positive sizes, padding at most half the kernel.
private func checkPoolingWindow(_ layer: String, kernelSize: Int, stride: Int, padding: Int, dilation: Int) throws {
    let name = "\(layer)(kernelSize: \(kernelSize), stride: \(stride), padding: \(padding))"
    try LayerError.check(kernelSize > 0 && stride > 0 && dilation > 0, name, "kernel size, stride and dilation must be positive")
    try LayerError.check(padding >= 0 && 2 * padding <= kernelSize, name, "padding must be in [0, kernelSize / 2]")
}
