import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old content or the complete new content: the
/// toolkit's one atomic writer (run files, models, weights caches).
package enum AtomicFile {
    /// Writes `data` to a temporary file in the directory of `url`, then renames it over `url`.
    /// - Throws: `AtomicFileError.writeFailed` naming `url`.
    package static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temporaryPath in
            do {
                try data.write(to: URL(fileURLWithPath: temporaryPath))
            } catch {
                throw AtomicFileError.writeFailed(path: url.path, reason: error.localizedDescription)
            }
        }
    }

    /// Lets `fill` write a temporary file next to `url` (for writers that take a path, such as
    /// libsvm's and XGBoost's), then renames it over `url`; the temporary file is removed when
    /// `fill` throws. Its name ends with `url`'s file name, so a writer that chooses the format by
    /// extension sees the same one.
    /// - Throws: what `fill` throws, or `AtomicFileError.writeFailed` naming `url`.
    package static func write(to url: URL, _ fill: (_ temporaryPath: String) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)-\(url.lastPathComponent)")
        do {
            try fill(temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
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

    /// Why the write failed, without the path.
    public var reason: String {
        switch self {
        case let .writeFailed(_, reason): return reason
        }
    }
}
