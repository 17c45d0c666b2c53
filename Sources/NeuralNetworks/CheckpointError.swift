import Foundation

/// A training checkpoint that cannot be written or does not fit, naming the file, key or parameter.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The optimizer updates a parameter that is not part of the model.
    case foreignParameter(index: Int)
    /// Caller metadata used a key reserved for the optimizer.
    case reservedMetadataKey(String)
    /// The file holds a tensor that belongs neither to the model nor to an optimizer parameter.
    case unexpectedKey(source: String, key: String)
    /// A required metadata entry is absent or unreadable.
    case missingMetadata(source: String, key: String)

    /// A one-line message naming the file, key or parameter.
    public var description: String {
        switch self {
        case let .foreignParameter(index):
            return "optimizer parameter \(index) does not belong to the model"
        case let .reservedMetadataKey(key):
            return "metadata key '\(key)' is reserved for the optimizer state"
        case let .unexpectedKey(source, key):
            return "\(source): tensor '\(key)' is neither a model key nor the state of an optimizer parameter"
        case let .missingMetadata(source, key):
            return "\(source): metadata '\(key)' is missing or unreadable"
        }
    }

    /// The same message as `description`.
    public var errorDescription: String? { description }
}
