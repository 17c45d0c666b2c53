/// Addition, subtraction, multiplication and division with NumPy broadcasting; the backward
/// sums the gradient over the broadcast axes of each operand.
extension Tensor {
    /// Elementwise sum, broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let output = combine(lhs, rhs, operation: "+", Addition())
        guard shouldRecord(lhs, rhs) else { return output }
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
        return output.recording("+", inputs: [lhs, rhs]) { gradient in
            [needsLhs ? gradient.summed(toShape: lhsShape) : nil,
             needsRhs ? gradient.summed(toShape: rhsShape) : nil]
        }
    }

    /// Elementwise difference, broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let output = combine(lhs, rhs, operation: "-", Subtraction())
        guard shouldRecord(lhs, rhs) else { return output }
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
        return output.recording("-", inputs: [lhs, rhs]) { gradient in
            [needsLhs ? gradient.summed(toShape: lhsShape) : nil,
             needsRhs ? (-gradient).summed(toShape: rhsShape) : nil]
        }
    }

    /// Elementwise product, broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let output = combine(lhs, rhs, operation: "*", ScaledMultiplication())
        guard shouldRecord(lhs, rhs) else { return output }
        let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
        let lhsValue = lhs.detached(), rhsValue = rhs.detached()
        return output.recording("*", inputs: [lhs, rhs]) { gradient in
            [needsLhs ? (gradient * rhsValue).summed(toShape: lhsValue.shape) : nil,
             needsRhs ? (gradient * lhsValue).summed(toShape: rhsValue.shape) : nil]
        }
    }

    /// Elementwise quotient, broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let output = combine(lhs, rhs, operation: "/", Division())
        guard shouldRecord(lhs, rhs) else { return output }
        let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
        let lhsShape = lhs.shape, rhsValue = rhs.detached()
        return output.recording("/", inputs: [lhs, rhs]) { gradient in
            // d(a/b)/db = -(a/b)/b
            [needsLhs ? (gradient / rhsValue).summed(toShape: lhsShape) : nil,
             needsRhs ? combine(gradient * output, rhsValue, operation: "/ backward", NegatedDivision()).summed(toShape: rhsValue.shape) : nil]
        }
    }

    /// Adds `rhs` to `lhs` (broadcasting) and stores the result in `lhs`.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// Subtracts `rhs` from `lhs` (broadcasting) and stores the result in `lhs`.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// Multiplies `lhs` by `rhs` (broadcasting) and stores the result in `lhs`.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// Divides `lhs` by `rhs` (broadcasting) and stores the result in `lhs`.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
}
