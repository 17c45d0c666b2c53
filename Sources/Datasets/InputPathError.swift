import ToolkitSupport
/// A file or folder named on the command line that cannot be used.
public enum InputPathError: DescribedError, Equatable {
    case missing(String)
    case noImages(String)
    case destinationExists(String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path) does not exist"
        case .noImages(let path): return "\(path) holds no .jpg, .jpeg or .png file"
        case .destinationExists(let path): return "\(path) already exists; choose a new folder"
        }
    }
}
