import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old content or the complete new content.
public enum AtomicFile {
    /// Writes `data` to a temporary file in the directory of `url`, then renames it over `url`.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw AtomicFileError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw AtomicFileError.writeFailed(path: url.path, reason: reason)
        }
    }
}

/// A failure of `AtomicFile.write`.
public enum AtomicFileError: DescribedError, Equatable {
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .writeFailed(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
