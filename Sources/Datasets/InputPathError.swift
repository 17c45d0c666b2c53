import ToolkitSupport
/// A file or folder named on the command line that cannot be used.
public enum InputPathError: DescribedError, Equatable {
    case missing(String)
    case noImages(String)
    case destinationExists(String)
    /// An output folder that already holds something: results are never mixed or overwritten.
    case notEmpty(String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path) does not exist"
        case .noImages(let path): return "\(path) holds no .jpg, .jpeg or .png file"
        case .destinationExists(let path): return "\(path) already exists; choose a new folder"
        case .notEmpty(let path):
            return "\(path) is not an empty folder; earlier results are never overwritten: choose a new or empty folder"
        }
    }
}
