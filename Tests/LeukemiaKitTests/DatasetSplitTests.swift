import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import Datasets

/// Checks the split's invariants against facts recomputed here from the folder.
func assertSplitInvariants(_ split: DatasetSplit, of folder: ImageFolder,
                           file: StaticString = #filePath, line: UInt = #line) {
    // Every image in exactly one part.
    XCTAssertEqual(split.images, folder.images, file: file, line: line)
    XCTAssertEqual(split.parts.count, folder.images.count, file: file, line: line)
    let partPaths = DatasetPart.allCases.map { Set(split.images(in: $0).map(\.relativePath)) }
    XCTAssertEqual(partPaths.map(\.count).reduce(0, +), folder.images.count, file: file, line: line)
    XCTAssertEqual(partPaths.reduce(Set<String>()) { $0.union($1) }, Set(folder.images.map(\.relativePath)),
                   file: file, line: line)
    let partOf = Dictionary(uniqueKeysWithValues: split.assignments.map { ($0.image.relativePath, $0.part) })

    // Copies of one content never in different parts (whatever their labels).
    let byHash = Dictionary(grouping: folder.images, by: \.contentHash)
    for copies in byHash.values where copies.count > 1 {
        XCTAssertEqual(Set(copies.map { partOf[$0.relativePath] }).count, 1,
                       "copies \(copies.map(\.relativePath)) split", file: file, line: line)
    }

    // In grouped mode, all images of a run in one part.
    if let length = split.configuration.groupRuns {
        struct Run: Hashable { let label: Int; let run: Int }
        let numbered = folder.images.compactMap { image in
            image.fileNumber.flatMap { $0 >= 1 ? (image, Run(label: image.label, run: ($0 - 1) / length)) : nil }
        }
        let runs = Dictionary(grouping: numbered, by: \.1).mapValues { $0.map(\.0) }
        for members in runs.values {
            XCTAssertEqual(Set(members.map { partOf[$0.relativePath] }).count, 1,
                           "run \(members.map(\.relativePath)) split", file: file, line: line)
        }
    }

    // Per-class counts near their targets: with g the class's largest group, the largest-deficit
    // rule never overshoots a target by g or more, so (the deficits summing to 0 over three parts)
    // no part falls 2g or more short.
    for label in folder.classes.classes.indices {
        let classCount = folder.count(of: label)
        let largestGroup = split.groups.filter { split.images[$0[0]].label == label }.map(\.count).max() ?? 0
        for part in DatasetPart.allCases {
            let target = split.configuration.fraction(of: part) * Double(classCount)
            let count = Double(split.count(in: part, of: label))
            XCTAssertTrue(count - target < Double(largestGroup) && target - count < Double(2 * largestGroup),
                          "\(folder.classes.names[label]) \(part): \(count) vs target \(target), largest group \(largestGroup)",
                          file: file, line: line)
        }
    }
}

final class DatasetSplitTests: XCTestCase {
    /// Each class gets files 1...count; every `pairEvery`-th number is an exact copy of the one
    /// before it (a duplicate pair at consecutive numbers, like the real data).
    private func makeFolder(count: Int = 60, pairEvery: Int = 10,
                            classNames: [String] = ["Benign", "Early", "Pre", "Pro"]) throws -> ImageFolder {
        let folder = try TemporaryFolder(self)
        for name in classNames {
            for number in 1...count {
                let source = number % pairEvery == 0 ? number - 1 : number
                try folder.write("\(name)/WBC-\(name)-\(String(format: "%03d", number)).jpg",
                                 "\(name) image \(source)")
            }
        }
        return try ImageFolder.scan(folder.url)
    }

    func testDefaultSplitKeepsInvariants() throws {
        let folder = try makeFolder()
        XCTAssertEqual(folder.duplicateGroups.count, 4 * 6)
        let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 7))
        // 60 images minus 6 merged copies per class.
        XCTAssertEqual(split.groups.count, 4 * 54)
        assertSplitInvariants(split, of: folder)
    }

    func testRunGroupingKeepsRunsTogether() throws {
        let folder = try makeFolder(count: 100, pairEvery: 12)
        let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 3, groupRuns: 10))
        // Runs 1-10, 11-20, ...; every pair (11, 12), (23, 24), ... lies inside one run, so no runs
        // merge: 10 groups of 10 per class.
        XCTAssertEqual(split.groups.count, 4 * 10)
        XCTAssertTrue(split.groups.allSatisfy { $0.count == 10 })
        assertSplitInvariants(split, of: folder)
    }

    func testDuplicatePairAcrossARunBoundaryJoinsTheRuns() throws {
        // With pairEvery 11, the pair (10, 11) straddles runs 1-10 and 11-20.
        let folder = try makeFolder(count: 30, pairEvery: 11)
        let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 1, groupRuns: 10))
        let benignGroups = split.groups.filter { split.images[$0[0]].label == 0 }.map(\.count)
        // (22, 21) stays inside run 21-30, so only the first two runs merge.
        XCTAssertEqual(benignGroups.sorted(), [10, 20])
        assertSplitInvariants(split, of: folder)
    }

    func testSameSeedSameSplitOtherSeedOtherSplit() throws {
        let folder = try makeFolder()
        let first = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 42))
        let again = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 42))
        let other = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 43))
        XCTAssertEqual(first.parts, again.parts)
        XCTAssertNotEqual(first.parts, other.parts)
    }

    func testLargestDeficitRuleOnSingletons() throws {
        // Five distinct images, targets 3 / 1 / 1: the rule gives exactly these counts
        // (train, train, train on the tie, then validation, then test), whatever the shuffle.
        let folder = try TemporaryFolder(self)
        for number in 1...5 { try folder.write("Pre/p-\(number).jpg", "pre \(number)") }
        try folder.write("Pro/q-1.jpg", "another class")
        let scanned = try ImageFolder.scan(folder.url)
        let pre = try XCTUnwrap(scanned.classes.index(of: "Pre"))
        for seed: UInt64 in [1, 2, 3] {
            let split = try DatasetSplit.make(scanned, configuration: SplitConfiguration(
                trainFraction: 0.6, validationFraction: 0.2, testFraction: 0.2, seed: seed))
            XCTAssertEqual(DatasetPart.allCases.map { split.count(in: $0, of: pre) }, [3, 1, 1])
        }
    }

    func testSingletonsLandWithinTwoImagesOfTheirTargets() throws {
        // 150 distinct images per class: targets 96 / 30 / 24 (the bound allows count - target
        // in (-2, 1), i.e. exactly these counts or one or two short).
        let folder = try makeFolder(count: 150, pairEvery: 1_000)
        let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 11))
        XCTAssertEqual(split.groups.count, 600)
        assertSplitInvariants(split, of: folder)
    }

    func testTwoThreeAndEightClassesKeepTheInvariants() throws {
        for names in [["neg", "pos"], ["a", "b", "c"], (1...8).map { "type\($0)" }] {
            let folder = try makeFolder(count: 25, pairEvery: 7, classNames: names)
            XCTAssertEqual(folder.classes.names, names)
            assertSplitInvariants(try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 3)), of: folder)
            assertSplitInvariants(try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 3, groupRuns: 5)), of: folder)
        }
    }

    func testZeroFractionPartStaysEmpty() throws {
        let folder = try makeFolder(count: 20)
        let split = try DatasetSplit.make(folder, configuration: SplitConfiguration(
            trainFraction: 0.75, validationFraction: 0.25, testFraction: 0, seed: 5))
        XCTAssertTrue(split.images(in: .test).isEmpty)
        assertSplitInvariants(split, of: folder)
    }

    func testCopiesWithDifferentLabelsStayTogetherAndAreReported() throws {
        let folder = try TemporaryFolder(self)
        for number in 1...12 {
            try folder.write("Benign/b-\(number).jpg", "benign \(number)")
            try folder.write("Pro/p-\(number).jpg", "pro \(number)")
        }
        try folder.write("Pro/p-13.jpg", "benign 4")
        let scanned = try ImageFolder.scan(folder.url)
        for seed: UInt64 in 0..<8 {
            let split = try DatasetSplit.make(scanned, configuration: SplitConfiguration(seed: seed))
            XCTAssertEqual(split.labelConflicts.map { $0.map(\.relativePath) }, [["Benign/b-4.jpg", "Pro/p-13.jpg"]])
            let parts = split.assignments.filter { ["Benign/b-4.jpg", "Pro/p-13.jpg"].contains($0.image.relativePath) }
            XCTAssertEqual(Set(parts.map(\.part)).count, 1)
        }
    }

    func testInvalidConfigurations() throws {
        let folder = try makeFolder(count: 5)
        assertThrows(SplitError.invalidFractions(train: 0.7, validation: 0.2, test: 0.2),
                     mentioning: ["0.7", "0.2"]) {
            _ = try DatasetSplit.make(folder, configuration: SplitConfiguration(
                trainFraction: 0.7, validationFraction: 0.2, testFraction: 0.2, seed: 1))
        }
        assertThrows(SplitError.invalidFractions(train: 1.2, validation: -0.2, test: 0)) {
            _ = try DatasetSplit.make(folder, configuration: SplitConfiguration(
                trainFraction: 1.2, validationFraction: -0.2, testFraction: 0, seed: 1))
        }
        assertThrows(SplitError.invalidGroupRuns(0), mentioning: ["0"]) {
            _ = try DatasetSplit.make(folder, configuration: SplitConfiguration(seed: 1, groupRuns: 0))
        }
        assertThrows(SplitError.noImages) {
            _ = try DatasetSplit.make(ImageFolder(root: folder.root, description: folder.description, images: []),
                                      configuration: SplitConfiguration(seed: 1))
        }
    }
}
