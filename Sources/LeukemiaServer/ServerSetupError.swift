import ToolkitSupport

/// Why the service cannot start.
public enum ServerSetupError: DescribedError, Equatable {
    case noRuns
    case invalidOption(String, String)
    /// Binding to a non-loopback address without API keys.
    case insecureBind(String)
    /// Two runs with one folder name.
    case duplicateModelName(String)
    /// The API keys file cannot be read or has a malformed line.
    case badKeysFile(String, reason: String)
    /// `keys add` with a client name already in the file, or an unusable one.
    case badClientName(String, reason: String)

    public var description: String {
        switch self {
        case .noRuns: return "give at least one run directory to serve"
        case .invalidOption(let name, let reason): return "\(name) \(reason)"
        case .insecureBind(let host):
            return "refusing to serve on \(host) without --api-keys: patient images would be open to the network "
                + "(add keys with `leukemia serve keys add NAME`, or pass --insecure)"
        case .duplicateModelName(let name):
            return "two runs are named \(name); models are served by their folder name, so rename one"
        case .badKeysFile(let path, let reason): return "\(path): \(reason)"
        case .badClientName(let name, let reason): return "client name '\(name)' \(reason)"
        }
    }
}
