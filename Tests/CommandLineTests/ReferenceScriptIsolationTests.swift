import Foundation
import XCTest

/// Issue #15: the PyTorch reference (`scripts/reference/pytorch_finetune.py`) is a reference only.
/// No target of `Package.swift`, no test, no set-up or CI script and no other script of the product
/// imports, runs or names it; only its own folder and the comparison that drives it beside the
/// toolkit (`scripts/compare-with-pytorch.sh`) do.
final class ReferenceScriptIsolationTests: XCTestCase {
    /// The repository: three folders up from this file (`Tests/CommandLineTests/`).
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// How a file would name the reference: its folder, or its module name (a Python import).
    private let names = ["scripts/reference", "pytorch_finetune"]

    /// Files that may name it (paths relative to the repository).
    private let allowed: Set<String> = ["scripts/compare-with-pytorch.sh", "Tests/CommandLineTests/ReferenceScriptIsolationTests.swift"]

    func testNoTargetTestOrScriptOfTheProductNamesTheReference() throws {
        let driver = try String(contentsOf: root.appendingPathComponent("scripts/compare-with-pytorch.sh"), encoding: .utf8)
        XCTAssertTrue(names.allSatisfy(driver.contains), "the names searched for are the ones the comparison uses")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("scripts/reference/pytorch_finetune.py").path))

        var read = 0, naming: [String] = []
        for path in try productFiles() where !allowed.contains(path) {
            guard let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else { continue }
            read += 1
            if names.contains(where: text.contains) { naming.append(path) }
        }
        XCTAssertGreaterThan(read, 300, "the walk read the package's sources and tests")
        XCTAssertEqual(naming, [], "these files name the reference-only PyTorch script")
    }

    /// `Package.swift`, and every file under `Sources`, `Tests`, `.ci` and `scripts` but
    /// `scripts/reference` (repository-relative paths).
    private func productFiles() throws -> [String] {
        var paths = ["Package.swift"]
        for folder in ["Sources", "Tests", ".ci", "scripts"] {
            let url = root.appendingPathComponent(folder)
            let walk = try XCTUnwrap(FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]))
            for case let file as URL in walk {
                guard try file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
                let path = folder + "/" + file.path.dropFirst(url.path.count + 1)
                if !path.hasPrefix("scripts/reference/") { paths.append(path) }
            }
        }
        return paths
    }
}
