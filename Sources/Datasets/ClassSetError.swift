import ToolkitSupport

/// Why a class set or a dataset description is not usable.
public enum ClassSetError: DescribedError, Equatable {
    case tooFewClasses([String])
    case repeated(what: String, String)
    case emptyName(class: String)
    case positiveClassNeedsTwo(count: Int)
    case unreadableDescription(path: String, reason: String)
    case invalidDescription(path: String, reason: String)
    /// A data folder's classes are not the ones a run (or a description) expects.
    case classMismatch(path: String, missing: [String], extra: [String])

    public var description: String {
        switch self {
        case let .tooFewClasses(names):
            return "a class set needs at least 2 classes, found \(names.count)" + (names.isEmpty ? "" : ": \(names.joined(separator: ", "))")
        case let .repeated(what, value):
            return "\(what) \(value) is listed twice in the class set (names are compared ignoring case)"
        case let .emptyName(name):
            return "class \"\(name)\" has an empty name or folder"
        case let .positiveClassNeedsTwo(count):
            return "positive_class applies to a set of 2 classes and must be 0 or 1 (this set has \(count))"
        case let .unreadableDescription(path, reason):
            return "cannot read dataset description \(path): \(reason)"
        case let .invalidDescription(path, reason):
            return "invalid dataset description \(path): \(reason)"
        case let .classMismatch(path, missing, extra):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("extra \(extra.joined(separator: ", "))") }
            return "the classes of \(path) differ from the expected ones: \(parts.joined(separator: "; "))"
        }
    }
}
