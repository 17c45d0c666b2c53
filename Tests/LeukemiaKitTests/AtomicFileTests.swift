import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import ToolkitSupport

final class AtomicFileTests: XCTestCase {
    func testReplacesContentAndLeavesNoTemporaryFile() throws {
        let folder = try TemporaryFolder(self)
        let target = try folder.write("out.json", "old")
        try AtomicFile.write(Data("new".utf8), to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path), ["out.json"])
    }

    func testMissingDirectoryNamesTheFile() throws {
        let target = try TemporaryFolder(self).url.appendingPathComponent("absent/out.json")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: target)) { error in
            XCTAssertTrue("\(error)".contains(target.path), "\(error)")
        }
    }
}
