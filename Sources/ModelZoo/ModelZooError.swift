import Foundation

/// A misuse of a model-zoo network that names the value at fault.
public enum ModelZooError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A configuration value is impossible (e.g. no blocks, a non-positive width).
    case invalidConfiguration(architecture: String, message: String)
    /// A feature map was requested by a name the network does not expose.
    case unknownFeatureMap(name: String, available: [String])
    /// A feature map's gradient was requested while gradients are not recorded
    /// (inside `Tensor.withoutGradients`).
    case gradientsNotRecorded(featureMap: String)
    /// A name that is not an architecture of the registry (or not one that fits where it was given).
    case unknownArchitecture(String, known: [String])

    /// A one-line message naming the value at fault.
    public var description: String {
        switch self {
        case let .invalidConfiguration(architecture, message):
            return "\(architecture) configuration: \(message)"
        case let .unknownFeatureMap(name, available):
            return "no feature map named '\(name)'; available: \(available.joined(separator: ", "))"
        case let .gradientsNotRecorded(featureMap):
            return "the gradient of feature map '\(featureMap)' needs gradient recording, which is off (Tensor.withoutGradients)"
        case let .unknownArchitecture(name, known):
            return "unknown architecture '\(name)'; known: \(known.joined(separator: ", "))"
        }
    }

    /// The same message as `description`.
    public var errorDescription: String? { description }
}

extension ModelZooError {
    /// Throws `.invalidConfiguration` unless `condition` holds.
    static func check(_ condition: Bool, _ architecture: String, _ message: @autoclosure () -> String) throws {
        guard condition else { throw ModelZooError.invalidConfiguration(architecture: architecture, message: message()) }
    }
}
