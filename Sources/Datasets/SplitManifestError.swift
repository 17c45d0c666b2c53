import ToolkitSupport
/// Why a split manifest cannot be read or applied to a folder.
public enum SplitManifestError: DescribedError, Equatable {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    case unsupportedVersion(path: String, found: Int, supported: Int)
    case missingFile(path: String, folder: String)
    case hashMismatch(path: String, expected: String, found: String)
    case labelMismatch(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read split manifest \(path): \(reason)"
        case let .invalid(path, reason):
            return "invalid split manifest \(path): \(reason)"
        case let .unsupportedVersion(path, found, supported):
            return "split manifest \(path) has format version \(found); this version reads \(supported)"
        case let .missingFile(path, folder):
            return "split manifest lists \(path), which is missing from \(folder)"
        case let .hashMismatch(path, expected, found):
            return "content of \(path) changed since the split manifest: SHA-256 \(found), expected \(expected)"
        case let .labelMismatch(path, expected, found):
            return "split manifest lists \(path) as \(expected), the folder gives \(found)"
        }
    }
}
