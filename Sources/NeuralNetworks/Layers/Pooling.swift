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

/// Adaptive average pooling to `outputSize x outputSize`, PyTorch's `nn.AdaptiveAvgPool2d`:
/// output cell `i` along an axis of extent `n` averages input rows `⌊i·n/size⌋ ..< ⌈(i+1)·n/size⌉`
/// (so windows may overlap, and a small input is repeated, as in PyTorch). Output
/// `[batch, outputSize, outputSize, channels]`.
public final class AdaptiveAvgPool2d: Layer {
    public let outputSize: Int
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a non-positive size.
    public init(outputSize: Int) throws {
        try LayerError.check(outputSize > 0, "AdaptiveAvgPool2d(\(outputSize))", "the output size must be positive")
        self.outputSize = outputSize
    }

    /// `x [batch, height, width, channels]` -> `[batch, outputSize, outputSize, channels]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if outputSize == 1 {
            return globalAvgPool2d(x).reshaped(to: [x.shape[0], 1, 1, x.shape[3]])
        }
        guard x.rank == 4 else {
            Tensor.fail(.invalidShape(operation: "AdaptiveAvgPool2d(\(outputSize))", shape: x.shape,
                                      expected: "NHWC [batch, height, width, channels]"))
        }
        let (height, width) = (x.shape[1], x.shape[2])
        if height == width, height % outputSize == 0 {   // equal, disjoint windows: one pooling call
            let window = height / outputSize
            return window == 1 ? x : avgPool2d(x, kernelSize: window)
        }
        return averagedWindows(averagedWindows(x, axis: 1), axis: 2)
    }

    /// `x` with `axis` reduced to `outputSize` window means.
    private func averagedWindows(_ x: Tensor, axis: Int) -> Tensor {
        let extent = x.shape[axis]
        if extent == outputSize { return x }
        let cells = (0..<outputSize).map { i in
            let window = (i * extent / outputSize)..<(((i + 1) * extent + outputSize - 1) / outputSize)
            return x.sliced(alongAxis: axis, window).mean(alongAxes: [axis], keepingDimensions: true)
        }
        return Tensor(concatenating: cells, alongAxis: axis)
    }
}

/// Throws unless the window is valid for PyTorch: positive sizes, padding at most half the kernel.
private func checkPoolingWindow(_ layer: String, kernelSize: Int, stride: Int, padding: Int, dilation: Int) throws {
    let name = "\(layer)(kernelSize: \(kernelSize), stride: \(stride), padding: \(padding))"
    try LayerError.check(kernelSize > 0 && stride > 0 && dilation > 0, name, "kernel size, stride and dilation must be positive")
    try LayerError.check(padding >= 0 && 2 * padding <= kernelSize, name, "padding must be in [0, kernelSize / 2]")
}
