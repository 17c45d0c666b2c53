import Foundation

/// A `CellDetector` setting outside its allowed range.
public struct CellDetectorError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The setting at fault, as the detector's JSON names it (e.g. `minimum_area`).
    public let setting: String
    /// Its value and what it must be.
    public let problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "cell detector setting \(setting): \(problem)" }

    public var errorDescription: String? { description }
}
