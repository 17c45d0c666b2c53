import XCTest
import Randomness
import TestSupport
@testable import Datasets

/// Class indices and groups for the fold tests, drawn from a seed.
private struct GroupedItems {
    var labels: [Int]
    var classCount: Int
    var groups: [[Int]]

    /// Class c gets `sizes[c]` items; the items are shuffled so that classes interleave.
    static func labels(sizes: [Int], generator: inout SeededGenerator) -> [Int] {
        var labels = sizes.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        labels.shuffle(using: &generator)
        return labels
    }

    /// Uneven class sizes: class 0 has 60...90 items (so groups of up to 6 outnumber 10 folds), the others
    /// 1...90 (so classes with fewer items than folds are likely).
    static func classSizes(_ classCount: Int, generator: inout SeededGenerator) -> [Int] {
        (0..<classCount).map { Int.random(in: ($0 == 0 ? 60 : 1)...90, using: &generator) }
    }

    /// Every item alone.
    static func singletons(classCount: Int, seed: UInt64) -> GroupedItems {
        var generator = SeededGenerator(seed: seed)
        let labels = labels(sizes: classSizes(classCount, generator: &generator), generator: &generator)
        return GroupedItems(labels: labels, classCount: classCount, groups: labels.indices.map { [$0] })
    }

    /// Groups of 1–6 items of one class each; with `mixed`, the first group followed by a group of another
    /// class is then merged with it, and about one in ten after it (as identical files with conflicting
    /// labels would be).
    static func grouped(classCount: Int, seed: UInt64, mixed: Bool = false) -> GroupedItems {
        var generator = SeededGenerator(seed: seed)
        let labels = labels(sizes: classSizes(classCount, generator: &generator), generator: &generator)
        var groups: [[Int]] = []
        for label in 0..<classCount {
            var rest = labels.indices.filter { labels[$0] == label }.shuffled(using: &generator)[...]
            while !rest.isEmpty {
                let size = min(Int.random(in: 1...6, using: &generator), rest.count)
                groups.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
        }
        groups.shuffle(using: &generator)
        if mixed {
            var merged: [[Int]] = []
            var index = 0
            while index < groups.count {
                // `merged.count == index` while nothing has been merged yet.
                if index + 1 < groups.count, labels[groups[index][0]] != labels[groups[index + 1][0]],
                   merged.count == index || Int.random(in: 0..<10, using: &generator) == 0 {
                    merged.append(groups[index] + groups[index + 1])
                    index += 2
                } else {
                    merged.append(groups[index])
                    index += 1
                }
            }
            groups = merged
        }
        return GroupedItems(labels: labels, classCount: classCount, groups: groups)
    }

    var count: Int { labels.count }

    func total(of label: Int) -> Int { labels.filter { $0 == label }.count }

    /// The largest group holding only class `label` (0 if none).
    func largestPureGroup(of label: Int) -> Int {
        groups.filter { $0.allSatisfy { labels[$0] == label } }.map(\.count).max() ?? 0
    }

    /// The items of class `label` in groups holding several classes.
    func mixedItems(of label: Int) -> Int {
        groups.filter { mixedItems(in: $0) > 0 }.joined().filter { labels[$0] == label }.count
    }

    /// The items of `group` if it holds several classes, else 0.
    func mixedItems(in group: [Int]) -> Int { Set(group.map { labels[$0] }).count > 1 ? group.count : 0 }

    func folds(_ foldCount: Int, seed: UInt64 = 1) throws -> FoldAssignment {
        try FoldAssignment.make(labels: labels, classCount: classCount, groups: groups, foldCount: foldCount, seed: seed)
    }

    /// The count of class `label` among `items`.
    func count(of label: Int, among items: [Int]) -> Int { items.filter { labels[$0] == label }.count }
}

final class FoldAssignmentTests: XCTestCase {
    private let classCounts = [2, 3, 8]
    private let foldCounts = [2, 5, 10]
    private let dataSeeds: [UInt64] = [11, 12, 13]

    /// Every grouping the tests draw: singletons, single-class groups and mixed groups.
    private func everyProblem() -> [(name: String, items: GroupedItems)] {
        classCounts.flatMap { classCount in
            dataSeeds.flatMap { seed in [
                ("\(classCount) classes, singletons, data seed \(seed)", GroupedItems.singletons(classCount: classCount, seed: seed)),
                ("\(classCount) classes, groups, data seed \(seed)", GroupedItems.grouped(classCount: classCount, seed: seed)),
                ("\(classCount) classes, mixed groups, data seed \(seed)",
                 GroupedItems.grouped(classCount: classCount, seed: seed, mixed: true)),
            ] }
        }
    }

    func testEveryItemIsInExactlyOneFoldAndNoFoldIsEmpty() throws {
        for (name, items) in everyProblem() {
            for foldCount in foldCounts {
                let assignment = try items.folds(foldCount)
                XCTAssertEqual(assignment.foldCount, foldCount)
                XCTAssertEqual(assignment.folds.count, items.count, name)
                XCTAssertTrue(assignment.folds.allSatisfy { (0..<foldCount).contains($0) }, name)
                let listed = (0..<foldCount).map { assignment.items(in: $0) }
                XCTAssertEqual(listed.joined().sorted(), Array(0..<items.count), "\(name), K = \(foldCount)")
                XCTAssertFalse(listed.contains { $0.isEmpty }, "\(name), K = \(foldCount): an empty fold")
                XCTAssertEqual(assignment.items(in: foldCount), [])
            }
        }
    }

    func testSingleItemGroupsGiveEachFoldTheFloorOrCeilOfEveryClassAndOfTheTotal() throws {
        for classCount in classCounts {
            for seed in dataSeeds {
                let items = GroupedItems.singletons(classCount: classCount, seed: seed)
                for foldCount in foldCounts {
                    let assignment = try items.folds(foldCount, seed: seed)
                    for fold in 0..<foldCount {
                        let members = assignment.items(in: fold)
                        let context = "\(classCount) classes, data seed \(seed), K = \(foldCount), fold \(fold)"
                        for label in 0..<classCount {
                            let ideal = Double(items.total(of: label)) / Double(foldCount)
                            let count = items.count(of: label, among: members)
                            XCTAssertTrue(count == Int(ideal.rounded(.down)) || count == Int(ideal.rounded(.up)),
                                          "\(context): class \(label) has \(count), ideal \(ideal)")
                        }
                        let idealSize = Double(items.count) / Double(foldCount)
                        XCTAssertTrue(members.count == Int(idealSize.rounded(.down)) || members.count == Int(idealSize.rounded(.up)),
                                      "\(context): \(members.count) items, ideal \(idealSize)")
                    }
                }
            }
        }
    }

    func testGroupsStayWholeAndClassCountsStayWithinTheLargestGroupOfTheIdeal() throws {
        for classCount in classCounts {
            for seed in dataSeeds {
                let items = GroupedItems.grouped(classCount: classCount, seed: seed)
                XCTAssertEqual(items.groups.map(\.count).max(), 6, "the data should hold groups of 6")
                for label in 0..<classCount { XCTAssertEqual(items.mixedItems(of: label), 0) }
                try assertGroupsWholeAndCountsBounded(items, seed: seed)
            }
        }
    }

    func testGroupsSpanningClassesStayWholeWithinTheLargestGroupPlusTheirItemsOfTheIdeal() throws {
        for classCount in classCounts {
            for seed in dataSeeds {
                let items = GroupedItems.grouped(classCount: classCount, seed: seed, mixed: true)
                XCTAssertTrue(items.groups.contains { items.mixedItems(in: $0) > 0 }, "the data should hold mixed groups")
                try assertGroupsWholeAndCountsBounded(items, seed: seed)
            }
        }
    }

    /// For every K: no group split across folds; each fold's count of class c within g_c + M_c of
    /// the ideal n_c / K (the largest single-class group of c, plus c's items in mixed groups: just
    /// g_c when no group mixes classes); each fold's size within the sum of those bounds of n / K.
    private func assertGroupsWholeAndCountsBounded(_ items: GroupedItems, seed: UInt64,
                                                   file: StaticString = #filePath, line: UInt = #line) throws {
        for foldCount in foldCounts {
            let assignment = try items.folds(foldCount, seed: seed)
            let context = "\(items.classCount) classes, data seed \(seed), K = \(foldCount)"
            for group in items.groups {
                XCTAssertEqual(Set(group.map { assignment.folds[$0] }).count, 1, "\(context): group \(group) split", file: file, line: line)
            }
            var sizeBound = 0.0
            for label in 0..<items.classCount {
                let ideal = Double(items.total(of: label)) / Double(foldCount)
                let bound = Double(items.largestPureGroup(of: label) + items.mixedItems(of: label))
                sizeBound += bound
                for fold in 0..<foldCount {
                    let count = items.count(of: label, among: assignment.items(in: fold))
                    XCTAssertLessThanOrEqual(abs(Double(count) - ideal), bound,
                                             "\(context), fold \(fold): class \(label) has \(count), ideal \(ideal)", file: file, line: line)
                }
            }
            for fold in 0..<foldCount {
                let size = assignment.items(in: fold).count
                XCTAssertLessThanOrEqual(abs(Double(size) - Double(items.count) / Double(foldCount)), sizeBound, context,
                                         file: file, line: line)
            }
        }
    }

    func testAClassWithFewerGroupsThanFoldsLeavesTheOtherFoldsWithoutIt() throws {
        // 40 items of class 0 and 3 of class 1, all alone, in 5 folds.
        let labels = Array(repeating: 0, count: 40) + Array(repeating: 1, count: 3)
        let assignment = try FoldAssignment.make(labels: labels, classCount: 2, groups: labels.indices.map { [$0] },
                                                 foldCount: 5, seed: 4)
        let rareCounts = (0..<5).map { fold in assignment.items(in: fold).filter { labels[$0] == 1 }.count }
        XCTAssertEqual(rareCounts.sorted(), [0, 0, 1, 1, 1])
        XCTAssertEqual((0..<5).map { assignment.items(in: $0).count }.sorted(), [8, 8, 9, 9, 9])
    }

    func testTheSameSeedGivesTheSameFoldsAndAnotherSeedOthers() throws {
        for (name, items) in everyProblem() {
            for foldCount in foldCounts {
                let first = try items.folds(foldCount, seed: 21)
                XCTAssertEqual(first, try items.folds(foldCount, seed: 21), name)
                XCTAssertNotEqual(first.folds, try items.folds(foldCount, seed: 22).folds, "\(name), K = \(foldCount)")
            }
        }
    }

    func testTrainValidationTestKeepsTheFoldAsTestGroupsWholeAndValidationStratified() throws {
        let fraction = 0.2
        for (name, items) in everyProblem() {
            let singletons = items.groups.allSatisfy { $0.count == 1 }
            for foldCount in foldCounts {
                let assignment = try items.folds(foldCount, seed: 5)
                for testFold in 0..<foldCount {
                    let context = "\(name), K = \(foldCount), test fold \(testFold)"
                    let parts = try assignment.trainValidationTest(
                        testFold: testFold, labels: items.labels, classCount: items.classCount, groups: items.groups,
                        validationFraction: fraction, seed: 5)
                    XCTAssertEqual(parts.count, items.count, context)
                    XCTAssertEqual(parts.indices.filter { parts[$0] == .test }, assignment.items(in: testFold), context)
                    for group in items.groups {
                        XCTAssertEqual(Set(group.map { parts[$0] }).count, 1, "\(context): group \(group) crosses parts")
                    }
                    let validation = parts.indices.filter { parts[$0] == .validation }
                    let rest = parts.indices.filter { parts[$0] != .test }
                    let restGroups = items.groups.filter { parts[$0[0]] != .test }
                    for label in 0..<items.classCount {
                        let ideal = fraction * Double(items.count(of: label, among: rest))
                        let count = items.count(of: label, among: validation)
                        // Single items: the ideal rounded; otherwise half the largest group plus mixed items.
                        let largest = restGroups.filter { $0.allSatisfy { items.labels[$0] == label } }.map(\.count).max() ?? 0
                        let mixed = restGroups.filter { items.mixedItems(in: $0) > 0 }.joined()
                            .filter { items.labels[$0] == label }.count
                        let bound = singletons ? 0.5 : Double(largest) / 2 + Double(mixed)
                        XCTAssertLessThanOrEqual(abs(Double(count) - ideal), bound + 1e-9,
                                                 "\(context): class \(label) has \(count) in validation, ideal \(ideal)")
                    }
                }
            }
        }
    }

    func testTrainValidationTestIsReproducibleForASeed() throws {
        let items = GroupedItems.grouped(classCount: 3, seed: 8)
        let assignment = try items.folds(5, seed: 8)
        func parts(_ seed: UInt64) throws -> [DatasetPart] {
            try assignment.trainValidationTest(testFold: 2, labels: items.labels, classCount: 3, groups: items.groups,
                                               validationFraction: 0.25, seed: seed)
        }
        XCTAssertEqual(try parts(8), try parts(8))
        XCTAssertNotEqual(try parts(8), try parts(9))
    }

    func testMakeRefusesTooFewOrTooManyFoldsNamingThem() {
        let labels = [0, 1, 0, 1]
        let singletons = labels.indices.map { [$0] }
        for folds in [1, 0, -3] {
            assertThrows(FoldAssignmentError.tooFewFolds(folds), mentioning: ["found \(folds)"]) {
                _ = try FoldAssignment.make(labels: labels, classCount: 2, groups: singletons, foldCount: folds, seed: 1)
            }
        }
        // More folds than items.
        assertThrows(FoldAssignmentError.tooManyFolds(folds: 5, groups: 4, items: 4), mentioning: ["5 folds", "4 items"]) {
            _ = try FoldAssignment.make(labels: labels, classCount: 2, groups: singletons, foldCount: 5, seed: 1)
        }
        // No more folds than items, but more than groups: a fold would be empty.
        assertThrows(FoldAssignmentError.tooManyFolds(folds: 3, groups: 2, items: 4), mentioning: ["3 folds", "2 groups"]) {
            _ = try FoldAssignment.make(labels: labels, classCount: 2, groups: [[0, 1], [2, 3]], foldCount: 3, seed: 1)
        }
    }

    func testMakeRefusesLabelsOutOfRangeAndGroupsThatDoNotPartitionTheItems() {
        let labels = [0, 1, 0, 1]
        func make(_ labels: [Int], _ groups: [[Int]]) throws {
            _ = try FoldAssignment.make(labels: labels, classCount: 2, groups: groups, foldCount: 2, seed: 1)
        }
        assertThrows(FoldAssignmentError.labelOutOfRange(item: 2, label: 2, classCount: 2), mentioning: ["item 2", "0..<2"]) {
            try make([0, 1, 2, 1], [[0], [1], [2], [3]])
        }
        assertThrows(FoldAssignmentError.labelOutOfRange(item: 0, label: -1, classCount: 2), mentioning: ["-1"]) {
            try make([-1, 1, 0, 1], [[0], [1], [2], [3]])
        }
        assertThrows(FoldAssignmentError.itemInNoGroup(3), mentioning: ["item 3"]) { try make(labels, [[0], [1], [2]]) }
        assertThrows(FoldAssignmentError.itemInSeveralGroups(item: 1, first: 0, second: 1), mentioning: ["item 1", "groups 0 and 1"]) {
            try make(labels, [[0, 1], [1, 2], [3]])
        }
        assertThrows(FoldAssignmentError.itemInSeveralGroups(item: 2, first: 1, second: 1), mentioning: ["twice in group 1"]) {
            try make(labels, [[0, 1], [2, 2], [3]])
        }
        assertThrows(FoldAssignmentError.itemOutOfRange(group: 1, item: 4, itemCount: 4), mentioning: ["item 4", "group 1"]) {
            try make(labels, [[0, 1], [2, 4], [3]])
        }
        assertThrows(FoldAssignmentError.emptyGroup(1), mentioning: ["group 1"]) { try make(labels, [[0, 1], [], [2], [3]]) }
    }

    func testTrainValidationTestRefusesBadFoldsFractionsAndForeignGroups() throws {
        let labels = [0, 1, 0, 1, 0, 1]
        let singletons = labels.indices.map { [$0] }
        let assignment = try FoldAssignment.make(labels: labels, classCount: 2, groups: singletons, foldCount: 3, seed: 1)
        func parts(fold: Int = 0, labels: [Int] = labels, groups: [[Int]] = singletons, fraction: Double = 0.2) throws {
            _ = try assignment.trainValidationTest(testFold: fold, labels: labels, classCount: 2, groups: groups,
                                                   validationFraction: fraction, seed: 1)
        }
        assertThrows(FoldAssignmentError.testFoldOutOfRange(3, foldCount: 3), mentioning: ["test fold 3"]) { try parts(fold: 3) }
        assertThrows(FoldAssignmentError.testFoldOutOfRange(-1, foldCount: 3), mentioning: ["-1"]) { try parts(fold: -1) }
        for fraction in [0.0, 1.0, -0.1, 1.5] {
            assertThrows(FoldAssignmentError.invalidValidationFraction(fraction), mentioning: ["\(fraction)"]) {
                try parts(fraction: fraction)
            }
        }
        XCTAssertThrowsError(try parts(fraction: .nan))
        assertThrows(FoldAssignmentError.labelCountMismatch(labels: 5, items: 6), mentioning: ["5", "6 items"]) {
            try parts(labels: Array(labels.prefix(5)))
        }
        // A group joining items of two folds (the folds were made with other groups).
        let fold0 = assignment.items(in: 0), fold1 = assignment.items(in: 1)
        let joined = [fold0[0], fold1[0]].sorted()
        let foreign = [joined] + labels.indices.filter { !joined.contains($0) }.map { [$0] }
        assertThrows(FoldAssignmentError.groupSpansFolds(group: 0, folds: [0, 1]), mentioning: ["group 0", "folds 0, 1"]) {
            try parts(groups: foreign)
        }
    }
}
