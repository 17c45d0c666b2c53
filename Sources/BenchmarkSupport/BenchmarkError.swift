import Foundation

/// A benchmark failure (a bad argument, a child process that failed), naming what is at fault.
public struct BenchmarkError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
