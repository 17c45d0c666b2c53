import Foundation

/// A misuse of a layer tree that names the value at fault.
public enum LayerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `freeze(prefix:)` or `unfreeze(prefix:)` matched no parameter key.
    case noParameterMatches(prefix: String)
    /// A state-dict array holds a number of values its shape does not describe.
    case inconsistentArray(key: String, shape: [Int], valueCount: Int)
    /// A layer was configured with an impossible hyperparameter.
    case invalidConfiguration(layer: String, message: String)
    /// A bag of no instances was given to a multiple-instance pooling, which has nothing to weigh
    /// (for cell bags: an image in which no cell was detected; classify it from the whole image).
    case emptyBag(layer: String)

    /// A one-line message naming the prefix, key or layer.
    public var description: String {
        switch self {
        case let .noParameterMatches(prefix):
            return "no parameter key is '\(prefix)' or starts with '\(prefix).'"
        case let .inconsistentArray(key, shape, valueCount):
            return "state-dict array '\(key)' has shape \(shape) but \(valueCount) values"
        case let .invalidConfiguration(layer, message):
            return "\(layer): \(message)"
        case let .emptyBag(layer):
            return "\(layer): the bag is empty (no instances); attention pooling needs at least one instance"
        }
    }

    /// The same message as `description`.
    public var errorDescription: String? { description }
}

extension LayerError {
    /// Throws `.invalidConfiguration(layer:message:)` unless `condition` holds.
    static func check(_ condition: Bool, _ layer: String, _ message: @autoclosure () -> String) throws {
        guard condition else { throw LayerError.invalidConfiguration(layer: layer, message: message()) }
    }
}
