/// A misuse of the tensor API: the operation and the values at fault are named in the message.
///
/// Creation from external data (`Tensor(shape:scalars:)`) throws these errors. Operations on
/// tensors whose shapes do not fit are programmer errors: they stop the program through
/// `Tensor.fail(_:)` with the same message (a `fatalError`, checked in every build mode), so that
/// model code stays free of `try`.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two operands whose shapes do not fit together.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    /// A shape that the operation does not accept, with the expectation spelled out.
    case invalidShape(operation: String, shape: [Int], expected: String)
    /// An axis outside `-rank..<rank`.
    case invalidAxis(operation: String, axis: Int, rank: Int)
    /// A scalar count that does not match the product of the shape.
    case scalarCountMismatch(shape: [Int], count: Int)
    /// A value outside its allowed range (a label, a rate, a slice bound).
    case invalidArgument(operation: String, message: String)

    /// A one-line message naming the operation and the values at fault.
    public var description: String {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs):
            return "\(operation): shapes \(lhs) and \(rhs) do not match"
        case let .invalidShape(operation, shape, expected):
            return "\(operation): shape \(shape) is invalid, expected \(expected)"
        case let .invalidAxis(operation, axis, rank):
            return "\(operation): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .scalarCountMismatch(shape, count):
            return "Tensor(shape:scalars:): shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(count)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        }
    }
}

extension TensorError: LocalizedError {
    /// The same message as `description`.
    public var errorDescription: String? { description }
}

import Foundation
