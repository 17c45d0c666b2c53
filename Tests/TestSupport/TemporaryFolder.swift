import Foundation
import XCTest

/// A fresh directory under the system temporary directory.
public struct TemporaryFolder {
    public let url: URL

    /// A new empty folder that is removed when `test` ends.
    public init(_ test: XCTestCase) throws {
        try self.init()
        let url = self.url
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    }

    /// A new empty folder that the caller removes with `remove()` (for class-level fixtures and
    /// helpers that are not test cases).
    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("leukemia-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `content` (UTF-8) at `relativePath`, creating folders as needed; returns its URL.
    @discardableResult
    public func write(_ relativePath: String, _ content: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: file)
        return file
    }

    /// Creates an empty folder at `relativePath`.
    public func makeFolder(_ relativePath: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relativePath),
                                                withIntermediateDirectories: true)
    }
}
