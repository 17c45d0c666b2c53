import Foundation

/// An error whose one-line `description` names the file or value at fault.
///
/// Conforming types only implement `description`; `errorDescription` (used by
/// `localizedDescription`) returns the same line.
public protocol DescribedError: Error, CustomStringConvertible, LocalizedError {}

extension DescribedError {
    public var errorDescription: String? { description }
}
