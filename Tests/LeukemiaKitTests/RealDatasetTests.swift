import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import Datasets

/// Runs on the shared ALL folder when it is present (skipped elsewhere).
final class RealDatasetTests: XCTestCase {
    func testScanAndSplitTheSharedDataset() throws {
        let dataURL = try RealData.allFolder()
        let start = Date()
        let folder = try ImageFolder.scan(dataURL)
        let scanSeconds = Date().timeIntervalSince(start)
        // Counts from the dataset's README.
        XCTAssertEqual(folder.classes.names, ["Benign", "Early", "Pre", "Pro"])
        XCTAssertEqual((0..<4).map(folder.count(of:)), [414, 806, 786, 661])
        XCTAssertEqual(folder.ignoredFiles, ["README.md"])
        XCTAssertEqual(folder.duplicateGroups.count, 30)
        for group in folder.duplicateGroups {
            XCTAssertEqual(group.count, 2)
            XCTAssertEqual(Set(group.map(\.label)), [3], "Pro")
            let numbers = group.compactMap(\.fileNumber)
            XCTAssertEqual(numbers.count == 2 ? numbers[1] - numbers[0] : nil, 1, "\(group.map(\.relativePath))")
        }
        XCTAssertTrue(folder.labelConflicts.isEmpty)

        for runs in [nil, 25] as [Int?] {
            let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 42, groupRuns: runs))
            assertSplitInvariants(split, of: folder)
            let table = DatasetPart.allCases.map { part in
                "\(part.rawValue): " + folder.classes.names.enumerated().map { "\($1) \(split.count(in: part, of: $0))" }
                    .joined(separator: ", ") + " (total \(split.images(in: part).count))"
            }
            let manifestURL = try TemporaryFolder(self).url.appendingPathComponent("split.json")
            try SplitManifest(split: split, classes: folder.classes).save(to: manifestURL)
            let resolution = try SplitManifest.load(from: manifestURL).resolve(against: folder)
            XCTAssertEqual(resolution.assigned.map(\.part), split.parts)
            XCTAssertTrue(resolution.unassigned.isEmpty)
            print("ALL split seed 42, groupRuns \(runs.map(String.init) ?? "none"), \(split.groups.count) groups:\n  "
                  + table.joined(separator: "\n  "))
        }
        print("ALL scan + hash: \(String(format: "%.2f", scanSeconds)) s")
    }
}
