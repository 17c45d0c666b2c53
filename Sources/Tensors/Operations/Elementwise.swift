import Foundation

/// Unary elementwise functions and arithmetic with a scalar.
extension Tensor {
    /// `f` applied to every element, recording `backward(outputGradient, output)` as the
    /// input's gradient.
    @inline(__always)
    static func unary(_ x: Tensor, _ operation: String, _ f: (Float) -> Float,
                      backward: @escaping (_ gradient: Tensor, _ output: Tensor) -> Tensor) -> Tensor {
        let output = map(x, f)
        guard shouldRecord(x) else { return output }
        return output.recording(operation, inputs: [x]) { gradient in [backward(gradient, output)] }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        unary(x, "negation", { -$0 }) { gradient, _ in -gradient }
    }

    /// Adds `scalar` to every element.
    public static func + (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "+ scalar", { $0 + scalar }) { gradient, _ in gradient }
    }

    /// Adds `scalar` to every element.
    public static func + (scalar: Float, x: Tensor) -> Tensor { x + scalar }

    /// Subtracts `scalar` from every element.
    public static func - (x: Tensor, scalar: Float) -> Tensor { x + (-scalar) }

    /// `scalar` minus every element.
    public static func - (scalar: Float, x: Tensor) -> Tensor {
        unary(x, "scalar -", { scalar - $0 }) { gradient, _ in -gradient }
    }

    /// Multiplies every element by `scalar`.
    public static func * (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "* scalar", { $0 * scalar }) { gradient, _ in gradient * scalar }
    }

    /// Multiplies every element by `scalar`.
    public static func * (scalar: Float, x: Tensor) -> Tensor { x * scalar }

    /// Divides every element by `scalar`.
    public static func / (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "/ scalar", { $0 / scalar }) { gradient, _ in gradient / scalar }
    }

    /// `scalar` divided by every element.
    public static func / (scalar: Float, x: Tensor) -> Tensor {
        let input = x.detached()
        // d(s/x)/dx = -(s/x)/x
        return unary(x, "scalar /", { scalar / $0 }) { gradient, output in
            combine(gradient * output, input, operation: "scalar / backward") { -$0 / $1 }
        }
    }

    /// Every element squared.
    public func squared() -> Tensor {
        let input = detached()
        return Tensor.unary(self, "squared", { $0 * $0 }) { gradient, _ in
            Tensor.combine(gradient, input, operation: "squared backward") { 2 * $0 * $1 }
        }
    }
}

/// The elementwise exponential.
public func exp(_ x: Tensor) -> Tensor {
    Tensor.unary(x, "exp", { Foundation.exp($0) }) { gradient, output in gradient * output }
}

/// The elementwise natural logarithm.
public func log(_ x: Tensor) -> Tensor {
    let input = x.detached()
    return Tensor.unary(x, "log", { Foundation.log($0) }) { gradient, _ in gradient / input }
}

/// The elementwise square root.
public func sqrt(_ x: Tensor) -> Tensor {
    Tensor.unary(x, "sqrt", { $0.squareRoot() }) { gradient, output in
        Tensor.combine(gradient, output, operation: "sqrt backward") { $0 / (2 * $1) }
    }
}

/// Every element raised to `exponent`.
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
    let input = x.detached()
    return Tensor.unary(x, "pow", { Foundation.pow($0, exponent) }) { gradient, _ in
        Tensor.combine(gradient, input, operation: "pow backward") { $0 * exponent * Foundation.pow($1, exponent - 1) }
    }
}
