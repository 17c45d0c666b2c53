import Foundation

/// A hyperparameter outside its valid range, named with its value, or saved state that does not
/// fit the optimizer.
public enum OptimizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case invalidHyperparameter(name: String, value: Float, expected: String)
    /// `restore(_:)` was given state of another optimizer kind, parameter count or shape.
    case invalidState(String)

    /// A one-line message naming the hyperparameter and its value, or the state at fault.
    public var description: String {
        switch self {
        case let .invalidHyperparameter(name, value, expected):
            return "\(name) = \(value) is invalid: expected \(expected)"
        case let .invalidState(message):
            return "cannot restore optimizer state: \(message)"
        }
    }

    /// The same message as `description`.
    public var errorDescription: String? { description }

    /// Throws unless `isValid`.
    static func check(_ name: String, _ value: Float, _ expected: String, _ isValid: Bool) throws {
        guard isValid else { throw OptimizerError.invalidHyperparameter(name: name, value: value, expected: expected) }
    }
}
