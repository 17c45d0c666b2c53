import Foundation

/// A hyperparameter outside its valid range, named with its value.
public enum OptimizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case invalidHyperparameter(name: String, value: Float, expected: String)

    /// A one-line message naming the hyperparameter and its value.
    public var description: String {
        switch self {
        case let .invalidHyperparameter(name, value, expected):
            return "\(name) = \(value) is invalid: expected \(expected)"
        }
    }

    /// The same message as `description`.
    public var errorDescription: String? { description }

    /// Throws unless `isValid`.
    static func check(_ name: String, _ value: Float, _ expected: String, _ isValid: Bool) throws {
        guard isValid else { throw OptimizerError.invalidHyperparameter(name: name, value: value, expected: expected) }
    }
}
