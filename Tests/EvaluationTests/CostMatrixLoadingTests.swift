import Foundation
import TestSupport
import XCTest
@testable import Evaluation
import ToolkitSupport

/// Cost matrices keyed by class names (JSON objects, CSV tables with a header row) for two, three
/// and eight classes, and one test per fault a file can have.
final class CostMatrixLoadingTests: XCTestCase {
    /// Class sets whose index order is not alphabetical, so that a loader keeping the file's or
    /// the alphabetical order would be caught.
    private let classSets = [
        ["Leukemia", "Healthy"],
        ["Pre", "Benign", "Early"],
        ["neutrophil", "eosinophil", "basophil", "lymphocyte", "monocyte", "ig", "erythroblast", "platelet"],
    ]
    private let three = ["Benign", "Early", "Pre"]

    /// An asymmetric matrix with a zero diagonal: entry (i, j) is 10·(i + 1) + j, so that a
    /// transposed or reordered load differs.
    private func expectedValues(_ k: Int) -> [[Double]] {
        var values = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            for j in 0..<k where i != j { values[i][j] = Double(10 * (i + 1) + j) }
        }
        return values
    }

    /// The file's row order (reversed) and column order (rotated by one), and the names spelled
    /// with another case every other time.
    private func fileOrder(_ k: Int) -> (rows: [Int], columns: [Int]) {
        (Array((0..<k).reversed()), (0..<k).map { ($0 + 1) % k })
    }

    private func spelled(_ name: String, _ index: Int) -> String {
        index.isMultiple(of: 2) ? name.uppercased() : name
    }

    private func write(_ name: String, _ content: String) throws -> URL {
        try TemporaryFolder(self).write(name, content)
    }

    func testNamedJSONInAnyOrderLoadsInClassOrder() throws {
        for names in classSets {
            let k = names.count, expected = expectedValues(k), order = fileOrder(k)
            let rows = order.rows.map { i in
                let costs = order.columns.map { j in "\"\(spelled(names[j], i + j))\": \(expected[i][j])" }
                return "  \"\(spelled(names[i], i))\": {\(costs.joined(separator: ", "))}"
            }
            let url = try write("costs.json", "{\n\(rows.joined(separator: ",\n"))\n}\n")
            XCTAssertEqual(try CostMatrix.load(from: url, classNames: names).values, expected, "\(k) classes")
        }
    }

    func testCSVWithHeaderInAnyOrderLoadsInClassOrder() throws {
        for names in classSets {
            let k = names.count, expected = expectedValues(k), order = fileOrder(k)
            var lines = ["true\\predicted," + order.columns.map { spelled(names[$0], $0) }.joined(separator: ",")]
            for i in order.rows {
                lines.append(([spelled(names[i], i + 1)] + order.columns.map { "\(expected[i][$0])" }).joined(separator: ","))
            }
            let url = try write("costs.csv", lines.joined(separator: "\n") + "\n")
            XCTAssertEqual(try CostMatrix.load(from: url, classNames: names).values, expected, "\(k) classes")
        }
    }

    func testCSVSpreadsheetDetails() throws {
        // A byte-order mark, CRLF line ends, an empty corner cell, quoted names, blanks around
        // cells, a blank line, and a file name that does not say CSV.
        let text = "\u{FEFF},\"Early\", Pre ,Benign\r\n"
            + "Pre, 20, 0, 1e1\r\n"
            + "\r\n"
            + "\"benign\",5,7.5,0\r\n"
            + "EARLY,0,3,2\r\n"
        let url = try write("costs.txt", text)
        XCTAssertEqual(try CostMatrix.load(from: url, classNames: three).values,
                       [[0, 5, 7.5], [2, 0, 3], [10, 20, 0]])
        // JSON is told by content too, whatever the extension.
        let json = try write("costs.csv", "\n  {\"matrix\": [[0, 1, 2], [3, 0, 4], [5, 6, 0]]}")
        XCTAssertEqual(try CostMatrix.load(from: json, classNames: three).values, [[0, 1, 2], [3, 0, 4], [5, 6, 0]])
    }

    func testJSONKeysAsWritten() throws {
        // Escapes in keys are decoded; strings holding braces, commas and quotes are not structure;
        // deeper objects and arrays are skipped; repeated keys stay.
        let json = #"{"a": {"x": 1, "y": [1, {"z": 2}]}, "b\"c": 3, "d": "e,{f\"", "\u0041": {}, "a": {"x": 0, "x": 1}}"#
        let keys = JSONObjectKeys.twoLevels(Data(json.utf8))
        XCTAssertEqual(keys.map(\.key), ["a", "b\"c", "d", "A", "a"])
        XCTAssertEqual(keys.map(\.innerKeys), [["x", "y"], [], [], [], ["x", "x"]])
        let escaped = try write("escaped.json", #"{"B\u0065nign": {"Benign": 0, "Early": 4, "Pre": 5},"#
                                + #" "Early": {"Benign": 1, "Early": 0, "Pre": 2}, "Pre": {"Benign": 3, "Early": 6, "Pre": 0}}"#)
        XCTAssertEqual(try CostMatrix.load(from: escaped, classNames: three).values, [[0, 4, 5], [1, 0, 2], [3, 6, 0]])
    }

    // MARK: - Faults

    /// Asserts that loading `content`, written as `fileName`, for `classNames` fails with the
    /// error `expected(path)` whose description names the file and every one of `fragments`.
    private func assertLoadFails(_ content: String, as fileName: String, classNames: [String]? = nil,
                                 mentioning fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                 _ expected: (String) -> CostMatrixError) throws {
        let url = try write(fileName, content)
        assertThrows(expected(url.path), mentioning: [fileName] + fragments, file: file, line: line) {
            _ = try CostMatrix.load(from: url, classNames: classNames ?? three)
        }
    }

    func testMissingClass() throws {
        try assertLoadFails(",Benign,Early\nBenign,0,1\nEarly,1,0\n", as: "two.csv", mentioning: ["missing Pre"]) {
            .classMismatch(path: $0, part: "its header row", missing: ["Pre"], unknown: [], expected: self.three)
        }
        // All columns but a row short: the first column misses Early.
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nPre,1,2,0\n", as: "rows.csv", mentioning: ["missing Early"]) {
            .classMismatch(path: $0, part: "its first column", missing: ["Early"], unknown: [], expected: self.three)
        }
    }

    func testExtraClassNamesBothLists() throws {
        let json = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0, "Pre": 2},
             "Pre": {"Benign": 1, "Early": 2, "Pre": 0},
             "Blast": {"Benign": 1, "Early": 2, "Pre": 3}}
            """
        try assertLoadFails(json, as: "extra.json",
                            mentioning: ["missing none", "unknown \"Blast\"", "the run's classes are Benign, Early, Pre"]) {
            .classMismatch(path: $0, part: "its top-level keys", missing: [], unknown: ["Blast"], expected: self.three)
        }
        // A misspelt class is both missing and unknown.
        try assertLoadFails(",Benign,Erly,Pre\nBenign,0,1,2\nEarly,1,0,2\nPre,1,2,0\n", as: "typo.csv",
                            mentioning: ["missing Early", "unknown \"Erly\""]) {
            .classMismatch(path: $0, part: "its header row", missing: ["Early"], unknown: ["Erly"], expected: self.three)
        }
    }

    func testClassGivenTwice() throws {
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nEarly,1,0,2\nearly,1,0,2\nPre,1,2,0\n", as: "twice.csv",
                            mentioning: ["class Early twice", "first column"]) {
            .duplicateClass(path: $0, className: "Early", part: "its first column")
        }
        try assertLoadFails(",Benign,Pre,Early,PRE\nBenign,0,1,2,3\nEarly,1,0,2,3\nPre,1,2,0,3\n", as: "header.csv",
                            mentioning: ["class Pre twice"]) {
            .duplicateClass(path: $0, className: "Pre", part: "its header row")
        }
    }

    func testClassGivenTwiceInJSON() throws {
        // A pasted row whose key was not changed: JSON parsers keep one of the two silently.
        let rows = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0, "Pre": 2},
             "Early": {"Benign": 1, "Early": 2, "Pre": 0}}
            """
        try assertLoadFails(rows, as: "rows.json", mentioning: ["class Early twice in its top-level keys"]) {
            .duplicateClass(path: $0, className: "Early", part: "its top-level keys")
        }
        let keys = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0, "Pre": 2, "Benign": 3},
             "Pre": {"Benign": 1, "Early": 2, "Pre": 0}}
            """
        try assertLoadFails(keys, as: "keys.json", mentioning: ["class Benign twice in the keys of row Early"]) {
            .duplicateClass(path: $0, className: "Benign", part: "the keys of row Early")
        }
    }

    func testNonZeroDiagonal() throws {
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nEarly,1,5,2\nPre,1,2,0\n", as: "diagonal.csv",
                            mentioning: ["row Early, column Early", "5.0", "must cost 0"]) {
            .nonZeroDiagonal(path: $0, className: "Early", value: 5)
        }
    }

    func testNegativeCost() throws {
        let json = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0, "Pre": 2},
             "Pre": {"Benign": -2, "Early": 2, "Pre": 0}}
            """
        try assertLoadFails(json, as: "negative.json", mentioning: ["negative cost -2.0 at row Pre, column Benign"]) {
            .negative(path: $0, row: "Pre", column: "Benign", value: -2)
        }
    }

    func testNonFiniteCosts() throws {
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,nan,2\nEarly,1,0,2\nPre,1,2,0\n", as: "nan.csv",
                            mentioning: ["non-finite cost nan at row Benign, column Early"]) {
            .nonFinite(path: $0, row: "Benign", column: "Early", value: "nan")
        }
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nEarly,1,0,inf\nPre,1,2,0\n", as: "inf.csv",
                            mentioning: ["non-finite cost inf at row Early, column Pre"]) {
            .nonFinite(path: $0, row: "Early", column: "Pre", value: "inf")
        }
        let json = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0, "Pre": 2},
             "Pre": {"Benign": 1, "Early": "Infinity", "Pre": 0}}
            """
        try assertLoadFails(json, as: "inf.json", mentioning: ["non-finite cost inf at row Pre, column Early"]) {
            .nonFinite(path: $0, row: "Pre", column: "Early", value: "inf")
        }
    }

    func testTooLargeCost() throws {
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nEarly,1,0,2000000\nPre,1,2,0\n", as: "large.csv",
                            mentioning: ["2000000.0 at row Early, column Pre", "at most 1000000"]) {
            .tooLarge(path: $0, row: "Early", column: "Pre", value: 2_000_000)
        }
    }

    func testCSVCellThatIsNotANumber() throws {
        try assertLoadFails("x,Benign,Early,Pre\nBenign,0,1,2\nEarly,1,0,ten\nPre,1,2,0\n", as: "text.csv",
                            mentioning: ["line 3, row Early, column Pre holds \"ten\""]) {
            .notANumber(path: $0, line: 3, row: "Early", column: "Pre", text: "ten")
        }
        try assertLoadFails("x,Benign,Early,Pre\nBenign,0,,2\nEarly,1,0,2\nPre,1,2,0\n", as: "empty-cell.csv",
                            mentioning: ["line 2, row Benign, column Early holds \"\""]) {
            .notANumber(path: $0, line: 2, row: "Benign", column: "Early", text: "")
        }
    }

    func testRaggedCSVRow() throws {
        try assertLoadFails(",Benign,Early,Pre\nBenign,0,1,2\nEarly,1,0\nPre,1,2,0\n", as: "ragged.csv",
                            mentioning: ["line 3 (row Early) has 2 costs, expected 3"]) {
            .csvRowLength(path: $0, line: 3, className: "Early", found: 2, expected: 3)
        }
    }

    func testNotSquare() throws {
        try assertLoadFails("[[0, 1, 2], [1, 0, 2]]", as: "short.json", mentioning: ["shape 2x3, expected 3x3"]) {
            .wrongShape(path: $0, found: "2x3", expected: "3x3")
        }
        // A named row without one of the predicted classes.
        let json = """
            {"Benign": {"Benign": 0, "Early": 1, "Pre": 2},
             "Early": {"Benign": 1, "Early": 0},
             "Pre": {"Benign": 1, "Early": 2, "Pre": 0}}
            """
        try assertLoadFails(json, as: "row.json", mentioning: ["the keys of row Early", "missing Pre"]) {
            .classMismatch(path: $0, part: "the keys of row Early", missing: ["Pre"], unknown: [], expected: self.three)
        }
    }

    func testUnreadableFile() throws {
        let folder = try TemporaryFolder(self)
        let missing = folder.url.appendingPathComponent("absent-costs.json")
        assertThrows(CostMatrixError.unreadable(path: missing.path, reason: "no such file"),
                     mentioning: ["absent-costs.json"]) {
            _ = try CostMatrix.load(from: missing, classNames: self.three)
        }
        try folder.makeFolder("costs-folder.csv")
        let directory = folder.url.appendingPathComponent("costs-folder.csv")
        assertThrows(CostMatrixError.unreadable(path: directory.path, reason: "it is a folder, not a file"),
                     mentioning: ["costs-folder.csv"]) {
            _ = try CostMatrix.load(from: directory, classNames: self.three)
        }
    }

    func testGarbageFiles() throws {
        let binary = try TemporaryFolder(self).url.appendingPathComponent("photo.csv")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0xC3, 0x28]).write(to: binary)
        assertThrows(CostMatrixError.notCSV(path: binary.path, reason: "it is not UTF-8 text"),
                     mentioning: ["photo.csv", "neither JSON nor a CSV table"]) {
            _ = try CostMatrix.load(from: binary, classNames: self.three)
        }
        try assertLoadFails("", as: "empty.csv", mentioning: ["it is empty"]) { .notCSV(path: $0, reason: "it is empty") }
        try assertLoadFails("just some words\nand more", as: "notes.txt", mentioning: ["names no predicted classes"]) {
            .notCSV(path: $0, reason: "its first line names no predicted classes after its first cell (a CSV header row,"
                    + " cells separated by commas)")
        }
        try assertLoadFails("{\"Benign\": {\"Benign\": 0,", as: "cut.json", mentioning: ["not valid JSON"]) {
            .notJSON(path: $0)
        }
        let wrongType = try write("strings.json", "{\"Benign\": {\"Benign\": \"zero\"}}")
        XCTAssertThrowsError(try CostMatrix.load(from: wrongType, classNames: three)) { error in
            guard case let .notAMatrix(path, reason)? = error as? CostMatrixError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, wrongType.path)
            XCTAssertTrue(reason.contains("Benign.Benign"), reason)
        }
    }
}
