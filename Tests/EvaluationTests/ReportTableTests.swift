import XCTest
@testable import Evaluation

/// Report tables as Markdown and CSV, and which columns read as numbers.
final class ReportTableTests: XCTestCase {
    func testMarkdownOfATwoByTwoTableRightAlignsTheNumbers() {
        let table = ReportTable(header: ["Model", "Accuracy"], rows: [["SVM", "0.912"], ["CNN", "0.958"]])
        XCTAssertEqual(table.markdown, """
        | Model | Accuracy |
        | --- | ---: |
        | SVM | 0.912 |
        | CNN | 0.958 |

        """)
    }

    func testMarkdownEscapesPipesAndFlattensLineBreaks() {
        let table = ReportTable(header: ["a|b"], rows: [["one\ntwo"]])
        XCTAssertEqual(table.markdownLines, ["| a\\|b |", "| --- |", "| one two |"])
    }

    func testCSVQuotesCommasQuotesAndLineBreaksPerRFC4180() {
        let table = ReportTable(header: ["Model", "Note"], rows: [["svm, rbf", "say \"hi\""], ["cnn", "two\nlines"], ["plain", ""]])
        XCTAssertEqual(table.csv, "Model,Note\r\n\"svm, rbf\",\"say \"\"hi\"\"\"\r\ncnn,\"two\nlines\"\r\nplain,\r\n")
    }

    func testColumnsOfNumbersWithIntervalsOrPlaceholdersAlignRight() {
        let table = ReportTable(header: ["Model", "Accuracy (95% CI)", "AUC", "Seed", "Empty"],
                                rows: [["svm", "0.91 [0.89, 0.93]", "undefined", "42", ""],
                                       ["cnn", "0.95 [0.93, 0.97]", "0.98", "−7", ""],
                                       ["4 layers", "95%", "—", "1e-4", ""]])
        XCTAssertEqual(table.alignments, [.left, .right, .right, .right, .left])
        XCTAssertFalse(ReportTable.isNumeric("4 layers") && ReportTable.isNumeric("svm"))
        XCTAssertFalse(ReportTable.isNumeric("inf"), "words Double() accepts are not numbers here")
    }

    func testShortRowsArePaddedToTheHeader() {
        XCTAssertEqual(ReportTable(header: ["a", "b"], rows: [["1"], ["1", "2", "3"]]).rows, [["1", ""], ["1", "2"]])
    }
}
