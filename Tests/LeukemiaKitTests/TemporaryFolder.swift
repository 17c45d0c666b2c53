import Foundation
import XCTest

/// A fresh directory under the system temporary directory, removed when the test ends.
struct TemporaryFolder {
    let url: URL

    init(_ test: XCTestCase) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("LeukemiaKitTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let url = self.url
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    }

    /// Writes `content` (UTF-8) at `relativePath`, creating folders as needed; returns its URL.
    @discardableResult
    func write(_ relativePath: String, _ content: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: file)
        return file
    }

    /// Creates an empty folder at `relativePath`.
    func makeFolder(_ relativePath: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relativePath),
                                                withIntermediateDirectories: true)
    }
}

/// Asserts that `body` throws an error equal to `expected` whose description contains `fragments`.
func assertThrows<E: Error & Equatable & CustomStringConvertible>(
    _ expected: E, mentioning fragments: [String] = [], file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
    } catch let error as E {
        XCTAssertEqual(error, expected, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment),
                          "\"\(error.description)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}
