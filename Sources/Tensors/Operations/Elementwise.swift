import Foundation

/// Unary elementwise functions and arithmetic with a scalar.
extension Tensor {
    /// `f` applied to every element, recording `backward(outputGradient, output)` as the
    /// input's gradient.
    static func unary<Function: UnaryFunction>(_ x: Tensor, _ operation: String, _ f: Function,
                      backward: @escaping (_ gradient: Tensor, _ output: Tensor) -> Tensor) -> Tensor {
        let output = map(x, f)
        guard shouldRecord(x) else { return output }
        return output.recording(operation, inputs: [x]) { gradient in [backward(gradient, output)] }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        unary(x, "negation", Negation()) { gradient, _ in -gradient }
    }

    /// Adds `scalar` to every element.
    public static func + (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "+ scalar", AddingScalar(scalar: scalar)) { gradient, _ in gradient }
    }

    /// Adds `scalar` to every element.
    public static func + (scalar: Float, x: Tensor) -> Tensor { x + scalar }

    /// Subtracts `scalar` from every element.
    public static func - (x: Tensor, scalar: Float) -> Tensor { x + (-scalar) }

    /// `scalar` minus every element.
    public static func - (scalar: Float, x: Tensor) -> Tensor {
        unary(x, "scalar -", SubtractingFromScalar(scalar: scalar)) { gradient, _ in -gradient }
    }

    /// Multiplies every element by `scalar`.
    public static func * (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "* scalar", MultiplyingByScalar(scalar: scalar)) { gradient, _ in gradient * scalar }
    }

    /// Multiplies every element by `scalar`.
    public static func * (scalar: Float, x: Tensor) -> Tensor { x * scalar }

    /// Divides every element by `scalar`.
    public static func / (x: Tensor, scalar: Float) -> Tensor {
        unary(x, "/ scalar", MultiplyingByScalar(scalar: 1 / scalar)) { gradient, _ in gradient / scalar }
    }

    /// `scalar` divided by every element.
    public static func / (scalar: Float, x: Tensor) -> Tensor {
        let input = x.detached()
        // d(s/x)/dx = -(s/x)/x
        return unary(x, "scalar /", DividingScalar(scalar: scalar)) { gradient, output in
            combine(gradient * output, input, operation: "scalar / backward", NegatedDivision())
        }
    }

    /// Every element squared.
    public func squared() -> Tensor {
        let input = detached()
        return Tensor.unary(self, "squared", Squaring()) { gradient, _ in
            Tensor.combine(gradient, input, operation: "squared backward", ScaledMultiplication(factor: 2))
        }
    }
}

/// The elementwise exponential.
public func exp(_ x: Tensor) -> Tensor {
    Tensor.unary(x, "exp", Exponential()) { gradient, output in gradient * output }
}

/// The elementwise natural logarithm.
public func log(_ x: Tensor) -> Tensor {
    let input = x.detached()
    return Tensor.unary(x, "log", NaturalLogarithm()) { gradient, _ in gradient / input }
}

/// The elementwise square root.
public func sqrt(_ x: Tensor) -> Tensor {
    Tensor.unary(x, "sqrt", SquareRoot()) { gradient, output in
        Tensor.combine(gradient, output, operation: "sqrt backward", HalvedDivision())
    }
}

/// Every element raised to `exponent`.
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
    let input = x.detached()
    return Tensor.unary(x, "pow", Power(exponent: exponent)) { gradient, _ in
        Tensor.combine(gradient, input, operation: "pow backward", PowerDerivative(exponent: exponent))
    }
}
