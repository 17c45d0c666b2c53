import Foundation

/// A scalar function applied elementwise. The kernels are generic over these value types
/// (rather than taking closures) so that every use is specialized and the function is inlined
/// into the loop, including inside the per-core chunks.
protocol UnaryFunction {
    func callAsFunction(_ x: Float) -> Float
}

/// A scalar function of two elements applied elementwise (see `UnaryFunction`).
protocol BinaryFunction {
    func callAsFunction(_ x: Float, _ y: Float) -> Float
}

/// `-x`.
struct Negation: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { -x }
}

/// `x + scalar`.
struct AddingScalar: UnaryFunction {
    let scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x + scalar }
}

/// `x * scalar`.
struct MultiplyingByScalar: UnaryFunction {
    let scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * scalar }
}

/// `scalar - x`.
struct SubtractingFromScalar: UnaryFunction {
    let scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { scalar - x }
}

/// `scalar / x`.
struct DividingScalar: UnaryFunction {
    let scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { scalar / x }
}

/// `x * x`.
struct Squaring: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x }
}

/// `e^x`.
struct Exponential: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
}

/// `ln x`.
struct NaturalLogarithm: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
}

/// `√x`.
struct SquareRoot: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
}

/// `x^exponent`.
struct Power: UnaryFunction {
    let exponent: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, exponent) }
}

/// `x + y`.
struct Addition: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x + y }
}

/// `x - y`.
struct Subtraction: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x - y }
}

/// `factor * x * y` (the product, and the backward of squaring with factor 2).
struct ScaledMultiplication: BinaryFunction {
    var factor: Float = 1
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { factor * x * y }
}

/// `x / y`.
struct Division: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x / y }
}

/// `-x / y` (the backward of a quotient with respect to its divisor, given `g * quotient`).
struct NegatedDivision: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { -x / y }
}

/// `x / (2y)` (the backward of the square root, given the gradient and the root).
struct HalvedDivision: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x / (2 * y) }
}

/// `x * exponent * y^(exponent - 1)` (the backward of `Power`, given the gradient and the input).
struct PowerDerivative: BinaryFunction {
    let exponent: Float
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x * exponent * Foundation.pow(y, exponent - 1) }
}
