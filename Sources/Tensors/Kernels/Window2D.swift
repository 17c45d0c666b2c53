/// Zero padding on the four sides of an image (independent, so TensorFlow-style asymmetric "same"
/// padding is expressible).
public struct Padding2D: Hashable, Sendable {
    /// Rows above and below, columns left and right of the image.
    public var top: Int, bottom: Int, left: Int, right: Int

    /// Padding with each side given separately.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// The same padding on all four sides.
    public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }

    /// No padding.
    public static let zero = Padding2D(0)

    var isNonNegative: Bool { top >= 0 && bottom >= 0 && left >= 0 && right >= 0 }

    /// "p1" when symmetric, "p(t,b,l,r)" otherwise.
    var shortDescription: String {
        if top == bottom && top == left && top == right { return "p\(top)" }
        return "p(\(top),\(bottom),\(left),\(right))"
    }
}

/// A 2-D sliding window: kernel size, stride, dilation (PyTorch convention, 1 = dense) and padding.
package struct Window2D: Hashable, Sendable {
    package var kernelHeight: Int, kernelWidth: Int
    package var strideY: Int, strideX: Int
    package var dilationY: Int, dilationX: Int
    package var padding: Padding2D

    /// A window with every size given separately.
    package init(kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
                 dilationY: Int = 1, dilationX: Int = 1, padding: Padding2D = .zero) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.padding = padding
    }

    /// A square window with equal stride, dilation and padding in both directions.
    package init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.init(kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride,
                  dilationY: dilation, dilationX: dilation, padding: Padding2D(padding))
    }

    /// Height and width the dilated kernel covers.
    var extent: (height: Int, width: Int) {
        ((kernelHeight - 1) * dilationY + 1, (kernelWidth - 1) * dilationX + 1)
    }

    /// Output size when the window slides over an input of the given size (floor mode).
    package func outputSize(inputHeight: Int, inputWidth: Int) -> (height: Int, width: Int) {
        let paddedHeight = inputHeight + padding.top + padding.bottom - extent.height
        let paddedWidth = inputWidth + padding.left + padding.right - extent.width
        return (floorDivide(paddedHeight, strideY) + 1, floorDivide(paddedWidth, strideX) + 1)
    }

    /// A reason the window is unusable, or nil.
    var invalidReason: String? {
        if kernelHeight < 1 || kernelWidth < 1 { return "kernel \(kernelHeight)x\(kernelWidth) must be positive" }
        if strideY < 1 || strideX < 1 { return "stride \(strideY)x\(strideX) must be positive" }
        if dilationY < 1 || dilationX < 1 { return "dilation \(dilationY)x\(dilationX) must be positive" }
        if !padding.isNonNegative { return "padding \(padding.shortDescription) must be non-negative" }
        return nil
    }

    /// oneDNN's arrays: strides, dilations (0 = dense), left/top and right/bottom padding.
    var dnnlStrides: [Int64] { [Int64(strideY), Int64(strideX)] }
    var dnnlDilations: [Int64] { [Int64(dilationY - 1), Int64(dilationX - 1)] }
    var dnnlPaddingBegin: [Int64] { [Int64(padding.top), Int64(padding.left)] }
    var dnnlPaddingEnd: [Int64] { [Int64(padding.bottom), Int64(padding.right)] }

    var keyParameters: [Int] {
        [kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX,
         padding.top, padding.bottom, padding.left, padding.right]
    }

    /// E.g. "3x3 s2 p1" or "3x3 s1 p(0,1,0,1) d2".
    var shortDescription: String {
        let stride = strideY == strideX ? "s\(strideY)" : "s\(strideY)x\(strideX)"
        var text = "\(kernelHeight)x\(kernelWidth) \(stride) \(padding.shortDescription)"
        if dilationY != 1 || dilationX != 1 {
            text += dilationY == dilationX ? " d\(dilationY)" : " d\(dilationY)x\(dilationX)"
        }
        return text
    }
}

/// Division rounding toward negative infinity.
@inline(__always)
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}
