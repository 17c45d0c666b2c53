import ToolkitSupport
/// Why a dataset folder cannot be scanned.
public enum ImageFolderError: DescribedError, Equatable {
    case missingFolder(path: String)
    case notADirectory(path: String)
    /// Fewer than two class folders (or none of a description's classes).
    case noClassFolders(path: String, found: [String])
    case duplicateClassFolder(path: String, names: [String])
    case emptyClassFolder(path: String)
    case unreadableFolder(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFolder(path):
            return "dataset folder \(path) does not exist"
        case let .notADirectory(path):
            return "dataset path \(path) is not a directory"
        case let .noClassFolders(path, found):
            return "dataset folder \(path) needs one subfolder per class, at least 2 (found "
                + (found.isEmpty ? "none" : found.joined(separator: ", ")) + ")"
        case let .duplicateClassFolder(path, names):
            return "dataset folder \(path) has several folders for one class: \(names.joined(separator: ", "))"
        case let .emptyClassFolder(path):
            return "class folder \(path) has no images (.jpg, .jpeg, .png)"
        case let .unreadableFolder(path, reason):
            return "cannot list folder \(path): \(reason)"
        }
    }
}
