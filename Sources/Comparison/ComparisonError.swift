import Foundation
import ToolkitSupport

/// Why models cannot be compared.
public enum ComparisonError: DescribedError, Equatable {
    /// Fewer than one model after expanding studies.
    case nothingToCompare
    /// A path that is neither a run, a cross-validation folder nor a study folder.
    case notARun(String)
    /// A `study.json` that cannot be read.
    case unreadableStudy(String, reason: String)
    /// Two models scored on different images (their test parts differ).
    case differentTestImages(first: String, second: String, details: String)
    /// Two models with other class sets.
    case differentClasses(first: String, second: String, firstClasses: [String], secondClasses: [String])
    /// Two models whose recorded cost matrices differ (and no --cost was given).
    case differentCosts(first: String, second: String)
    /// `--data` with a cross-validation folder (each fold model would score the same images).
    case dataWithCrossValidation(String)
    /// The same run given twice.
    case duplicate(String)
    /// A parameter outside its range.
    case invalidParameter(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .nothingToCompare:
            return "nothing to compare: give at least one run, cross-validation folder or study folder"
        case .notARun(let path):
            return "\(path) is not a run directory (config.json), a cross-validation folder (cross-validation.json) "
                + "or a study folder (study.json)"
        case let .unreadableStudy(path, reason):
            return "\(path) is not a readable study file: \(reason)"
        case let .differentTestImages(first, second, details):
            return "\(first) and \(second) were tested on different images (\(details)); compare runs trained on the same "
                + "split (train --split RUN/split.json), or score all of them on one folder with --data DIR"
        case let .differentClasses(first, second, firstClasses, secondClasses):
            return "\(first) and \(second) have different classes (\(firstClasses.joined(separator: ", ")) against "
                + "\(secondClasses.joined(separator: ", "))); only models of one class set can be compared"
        case let .differentCosts(first, second):
            return "\(first) and \(second) recorded different cost matrices; pass --cost FILE to score all models with one"
        case .dataWithCrossValidation(let path):
            return "\(path) is a cross-validation folder: its fold models are compared on their own test folds, not on --data; "
                + "compare single runs with --data"
        case .duplicate(let path):
            return "\(path) is given more than once"
        case let .invalidParameter(name, value, expected):
            return "\(name) \(value) is invalid: expected \(expected)"
        }
    }
}
