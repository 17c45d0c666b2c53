import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
import ToolkitSupport
#endif

/// Downloads a published checkpoint and checks it against the SHA-256 prefix in its file name
/// (torchvision's convention: `densenet201-c1103571.pth`), as torchvision's own loader does.
public enum WeightDownloader {
    /// The hexadecimal SHA-256 prefix in a file name `NAME-<hex>.EXT`.
    public static func hashPrefix(inFileName name: String) -> String? {
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        guard let last = stem.split(separator: "-").last, last.count >= 6,
              last.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return String(last)
    }

    /// Downloads `url` into `folder` under its own file name, checks the hash prefix, and returns
    /// the file; a file that fails the check is deleted.
    public static func download(_ url: URL, into folder: URL, timeout: TimeInterval = 600) throws -> URL {
        let name = url.lastPathComponent
        guard let expected = hashPrefix(inFileName: name) else { throw WeightStoreError.noHashInName(name) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = folder.appendingPathComponent(name)
        let downloaded = try fetch(url, timeout: timeout)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: downloaded, to: destination)
        let actual = try SHA256.hash(fileAt: destination).hexString
        guard actual.hasPrefix(expected) else {
            try? FileManager.default.removeItem(at: destination)
            throw WeightStoreError.hashMismatch(file: name, expectedPrefix: expected, actual: String(actual.prefix(expected.count)))
        }
        return destination
    }

    /// The body of `url` in a temporary file, or an error naming the URL.
    private static func fetch(_ url: URL, timeout: TimeInterval) throws -> URL {
        let finished = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var result: Result<URL, WeightStoreError>? }
        let outcome = Outcome()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration)
        let task = session.downloadTask(with: url) { location, response, error in
            defer { finished.signal() }
            if let error {
                outcome.result = .failure(.download(url: url.absoluteString, reason: error.localizedDescription))
                return
            }
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                outcome.result = .failure(.download(url: url.absoluteString, reason: "HTTP status \(http.statusCode)"))
                return
            }
            guard let location else {
                outcome.result = .failure(.download(url: url.absoluteString, reason: "no data"))
                return
            }
            // The session deletes `location` when this handler returns: keep the file.
            let kept = FileManager.default.temporaryDirectory.appendingPathComponent("leukemia-download-\(UUID().uuidString)")
            do {
                try FileManager.default.moveItem(at: location, to: kept)
                outcome.result = .success(kept)
            } catch {
                outcome.result = .failure(.download(url: url.absoluteString, reason: error.localizedDescription))
            }
        }
        task.resume()
        finished.wait()
        session.finishTasksAndInvalidate()
        return try (outcome.result ?? .failure(.download(url: url.absoluteString, reason: "no answer"))).get()
    }
}
