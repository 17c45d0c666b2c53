import Foundation
import XCTest
import Evaluation
@testable import Reporting

/// The self-contained report page: its parts, escaping, and that it loads nothing.
final class ReportPageTests: XCTestCase {
    private let pixel = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

    private func page() -> ReportPage {
        let table = ReportTable(header: ["Model", "Accuracy (95% CI)"], rows: [["SVM <rbf>", "0.91 [0.89, 0.93]"], ["CNN", "0.95 [0.93, 0.97]"]],
                                caption: "Test set")
        let heatmap = Figure.confusionHeatmap(classNames: ["Benign", "Early"], counts: [[5, 1], [0, 4]], normalized: false)
        let roc = Figure.rocCurves([("Early", [(0, 0), (0.2, 0.9), (1, 1)], 0.93)])
        let card = GalleryCard(image: .png(pixel), alt: "img_001.jpg", overlay: .jpeg(pixel),
                               captionLines: ["True: Early", "Predicted: Benign (0.62)", "Cost: 10", "Set: {Benign, Early}"])
        return ReportPage(title: "Models on ALL & PBC", sections: [
            .heading("Summary", level: 2),
            .paragraph("Accuracy with 95% bootstrap intervals; a < b & c."),
            .table(table),
            .figures([heatmap, roc], caption: "SVM"),
            .gallery([card]),
            .reproduce(commands: ["leukemia compare runs/svm runs/cnn --out report.html"]),
        ])
    }

    func testThePageHasEveryPartInOrder() throws {
        let html = page().html
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>Models on ALL &amp; PBC</title>"))
        XCTAssertTrue(html.contains("<h1>Models on ALL &amp; PBC</h1>"))
        XCTAssertTrue(html.contains("<style>"))
        let markers = ["<h2>Summary</h2>", "a &lt; b &amp; c.", "<caption>Test set</caption>", "data-figure=\"confusion-counts\"",
                       "data-figure=\"roc\"", "<figcaption>SVM</figcaption>", "class=\"gallery\"", "How to reproduce",
                       "<pre><code>leukemia compare runs/svm runs/cnn --out report.html</code></pre>"]
        var cursor = html.startIndex
        for marker in markers {
            let found = try XCTUnwrap(html.range(of: marker, range: cursor..<html.endIndex), "\(marker) after the previous part")
            cursor = found.upperBound
        }
    }

    func testTablesRightAlignNumbersAndEscapeCells() {
        let html = page().html
        XCTAssertTrue(html.contains("<th class=\"num\">Accuracy (95% CI)</th>"))
        XCTAssertTrue(html.contains("<td class=\"num\">0.91 [0.89, 0.93]</td>"))
        XCTAssertTrue(html.contains("<td>SVM &lt;rbf&gt;</td>"))
    }

    func testGalleryImagesAreDataURIs() {
        let html = page().html
        XCTAssertTrue(html.contains("<img src=\"data:image/png;base64,\(pixel.base64EncodedString())\" alt=\"img_001.jpg\""))
        XCTAssertTrue(html.contains("src=\"data:image/jpeg;base64,"))
        for line in ["True: Early", "Predicted: Benign (0.62)", "Cost: 10", "Set: {Benign, Early}"] {
            XCTAssertTrue(html.contains("<p>\(line)</p>"), line)
        }
    }

    func testThePageHasNoScriptAndLoadsNothingFromElsewhere() throws {
        let html = page().html
        XCTAssertFalse(html.lowercased().contains("<script"))
        let external = try NSRegularExpression(pattern: #"(src|href)\s*=\s*["']?\s*(https?:)?//"#, options: [.caseInsensitive])
        XCTAssertEqual(external.numberOfMatches(in: html, range: NSRange(html.startIndex..., in: html)), 0)
        XCTAssertFalse(html.contains("@import"))
        XCTAssertFalse(html.contains("url("), "no fonts or images from the style sheet")
        let sources = try NSRegularExpression(pattern: #"src="([^"]*)""#).matches(in: html, range: NSRange(html.startIndex..., in: html))
        XCTAssertEqual(sources.count, 2)
        for match in sources {
            XCTAssertTrue(html[Range(match.range(at: 1), in: html)!].hasPrefix("data:"))
        }
    }
}
