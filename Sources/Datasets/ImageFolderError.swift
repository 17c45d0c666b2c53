import ToolkitSupport
/// Why a dataset folder cannot be scanned.
public enum ImageFolderError: DescribedError, Equatable {
    case missingFolder(path: String)
    case notADirectory(path: String)
    case noClassFolders(path: String)
    case unknownClassFolder(path: String)
    case duplicateClassFolder(path: String, names: [String])
    case missingClasses(path: String, missing: [LeukemiaClass])
    case emptyClassFolder(path: String)
    case unreadableFolder(path: String, reason: String)

    private static var knownClasses: String { LeukemiaClass.names.joined(separator: ", ") }

    public var description: String {
        switch self {
        case let .missingFolder(path):
            return "dataset folder \(path) does not exist"
        case let .notADirectory(path):
            return "dataset path \(path) is not a directory"
        case let .noClassFolders(path):
            return "dataset folder \(path) has no class folders (expected \(Self.knownClasses))"
        case let .unknownClassFolder(path):
            return "unknown class folder \(path) (known classes: \(Self.knownClasses))"
        case let .duplicateClassFolder(path, names):
            return "dataset folder \(path) has several folders for one class: \(names.joined(separator: ", "))"
        case let .missingClasses(path, missing):
            return "dataset folder \(path) lacks class folders \(missing.map(\.name).joined(separator: ", "))"
        case let .emptyClassFolder(path):
            return "class folder \(path) has no images (.jpg, .jpeg, .png)"
        case let .unreadableFolder(path, reason):
            return "cannot list folder \(path): \(reason)"
        }
    }
}
