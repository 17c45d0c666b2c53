import Foundation
import XCTest

/// The `Fixtures` folder a test target copies into its resource bundle
/// (`resources: [.copy("Fixtures")]` in Package.swift); create one with `FixtureFolder(.module)`.
public struct FixtureFolder {
    public let bundle: Bundle

    public init(_ bundle: Bundle) {
        self.bundle = bundle
    }

    /// The URL of the fixture file `name` (a path relative to `Fixtures`); throws if it is absent.
    public func url(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let folder = try XCTUnwrap(bundle.resourceURL, "the test bundle has no resources", file: file, line: line)
            .appendingPathComponent("Fixtures", isDirectory: true)
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("no fixture \(name) in \(folder.path)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return url
    }

    /// The contents of the fixture file `name`.
    public func data(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        try Data(contentsOf: url(name, file: file, line: line))
    }
}
