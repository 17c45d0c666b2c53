import Foundation

/// A benchmark's command-line mistake, naming the argument at fault.
public struct UsageError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
