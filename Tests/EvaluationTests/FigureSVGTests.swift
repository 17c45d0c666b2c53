import XCTest
@testable import Evaluation

/// The report figures as SVG: well-formed, findable, with round ticks, the palette's ends and
/// escaped text.
final class FigureSVGTests: XCTestCase {
    private let classes = ["Benign", "Early", "Pre", "Pro"]
    private let counts = [[30, 2, 0, 0], [1, 25, 4, 0], [0, 3, 27, 1], [0, 0, 2, 40]]

    private var allFigures: [Figure] {
        let roc: [(name: String, points: [(fpr: Double, tpr: Double)], auc: Double?)] = [
            ("Benign", [(0, 0), (0.1, 0.8), (1, 1)], 0.95), ("Early", [(0, 0), (1, 1)], nil),
        ]
        let bins: [(lowerEdge: Double, upperEdge: Double, count: Int, meanConfidence: Double, accuracy: Double)] = (0..<15).map { bin in
            let lower = Double(bin) / 15
            return (lower, lower + 1.0 / 15, bin * 3, lower + 0.5 / 15, min(1, Double(bin) / 14))
        }
        let coverage: [(name: String, points: [(coverage: Double, accuracy: Double)])] = [
            ("SVM", [(0.1, 1), (0.5, 0.97), (1, 0.9)]), ("CNN", [(0.1, 1), (1, 0.94)]),
        ]
        let training = Figure.trainingCurves(epochs: [1, 2, 3, 4], trainLoss: [2, 1, 0.7, 0.5], validationLoss: [1.5, 1, 1.2, 1.3],
                                             trainAccuracy: [0.2, 0.4, 0.6, 0.8], validationAccuracy: [0.5, 0.5, 0.5, 0.5],
                                             bestEpoch: 2, learningRates: [1e-4, 1e-4, 1e-4, 1e-5])
        return [
            Figure.confusionHeatmap(classNames: classes, counts: counts, normalized: false),
            Figure.confusionHeatmap(classNames: classes, counts: counts, normalized: true),
            Figure.rocCurves(roc), Figure.reliabilityDiagram(bins: bins, ece: 0.0412), training, Figure.riskCoverage(coverage),
        ]
    }

    func testEveryFigureIsWellFormedXMLWithItsNameAndSize() throws {
        let names = allFigures.map(\.name)
        XCTAssertEqual(names, ["confusion-counts", "confusion-normalized", "roc", "reliability", "training-curves", "risk-coverage"])
        for figure in allFigures {
            let document = try XCTUnwrap(SVGDocument(figure.svg), "\(figure.name) parses as XML")
            let root = try XCTUnwrap(document.root)
            XCTAssertEqual(root.name, "svg")
            XCTAssertEqual(root.attributes["class"], "figure")
            XCTAssertEqual(root.attributes["data-figure"], figure.name)
            XCTAssertEqual(root.attributes["width"], "\(figure.width)")
            XCTAssertEqual(root.attributes["height"], "\(figure.height)")
            XCTAssertEqual(document.elements.first { $0.name == "title" }?.text, figure.title)
            for text in document.elements where text.name == "text" {
                XCTAssertGreaterThanOrEqual(Double(text.attributes["font-size"] ?? "") ?? 0, 11, "\(figure.name): \(text.text)")
            }
        }
    }

    func testAUnitAxisIsTickedEveryTwoTenths() throws {
        // 0...1 in about five steps: 1/5 = 0.2 is already round (2 · 10⁻¹).
        let expected = ["0", "0.2", "0.4", "0.6", "0.8", "1"]
        XCTAssertEqual(Axis.fixed("", 0...1).ticks.map(\.label), expected)
        let roc = try XCTUnwrap(SVGDocument(Figure.rocCurves([("A", [(0, 0), (1, 1)], 0.5)]).svg))
        for label in expected {
            XCTAssertEqual(roc.texts.filter { $0 == label }.count, 2, "\(label) on both axes")
        }
    }

    func testCoveringAxesExtendToRoundTicks() {
        // Losses 0.13...2.7 from 0: 2.7 / 5 = 0.54 rounds up to a step of 1, so 0...3.
        let loss = Axis.covering("", [0.13, 2.7, .nan], including: [0])
        XCTAssertEqual(loss.range, 0...3)
        XCTAssertEqual(loss.ticks.map(\.label), ["0", "1", "2", "3"])
        // Epochs 1...50: 49 / 5 = 9.8 rounds to 10, so 0...50 by 10.
        XCTAssertEqual(Axis.covering("", [1, 50], integer: true).ticks.map(\.label), ["0", "10", "20", "30", "40", "50"])
        // Four epochs: 3 / 5 = 0.6 would be 1 anyway, and integer axes never step below 1.
        XCTAssertEqual(Axis.covering("", [1, 4], integer: true).ticks.map(\.label), ["1", "2", "3", "4"])
        // Accuracies 0.87...1: 0.13 / 5 = 0.026 rounds to 0.05: 0.85...1.
        XCTAssertEqual(Axis.covering("", [0.87, 1]).ticks.map(\.label), ["0.85", "0.9", "0.95", "1"])
        // Learning rates 1e-5...1e-3: a tick per decade.
        XCTAssertEqual(Axis.logarithmic("", [1e-3, 1e-4, 1e-5]).ticks.map(\.label), ["1e-5", "1e-4", "1e-3"])
    }

    func testHeatmapCellsSpanThePaletteAndTextIsEscaped() throws {
        let names = ["<B&>", "Early", "Pre", "Pro"]
        let figure = Figure.confusionHeatmap(classNames: names, counts: counts, normalized: false)
        let document = try XCTUnwrap(SVGDocument(figure.svg))
        // The cells are the first 16 opaque rects after the page background; the largest count (40,
        // bottom-right) takes viridis's end, a zero its start.
        let cells = document.elements.filter { $0.name == "rect" }.dropFirst().prefix(16).map { $0.attributes["fill"] }
        XCTAssertEqual(cells[15], "#fde725")
        XCTAssertEqual(cells[15], SequentialPalette.viridis.end.hex)
        XCTAssertEqual(cells[2], "#440154", "Benign predicted as Pre: 0")
        XCTAssertEqual(cells[2], SequentialPalette.viridis.start.hex)
        // Dark cells get white text, the yellow one black.
        let values = document.elements.filter { $0.name == "text" && ["0", "40"].contains($0.text) && $0.attributes["text-anchor"] == "middle" }
        XCTAssertEqual(values.first { $0.text == "40" }?.attributes["fill"], "#000000")
        XCTAssertEqual(values.first { $0.text == "0" }?.attributes["fill"], "#ffffff")
        XCTAssertTrue(figure.svg.contains(">&lt;B&amp;&gt;</text>"))
        XCTAssertFalse(figure.svg.contains("<B&>"))
        XCTAssertTrue(document.texts.contains("<B&>"), "the parser reads the name back")
        // The colour scale runs 0...40 in steps of 10.
        for label in ["0", "10", "20", "30", "40"] { XCTAssertTrue(document.texts.contains(label), label) }
    }

    func testNormalizedHeatmapShowsRowShares() throws {
        let figure = Figure.confusionHeatmap(classNames: classes, counts: [[3, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
                                             normalized: true)
        let texts = try XCTUnwrap(SVGDocument(figure.svg)).texts
        XCTAssertTrue(texts.contains("0.75"))
        XCTAssertTrue(texts.contains("0.25"))
        XCTAssertFalse(texts.contains { $0.lowercased().contains("nan") }, "a row without images stays 0")
    }

    func testEscapingCoversEveryMarkupCharacter() {
        XCTAssertEqual("a<b & \"c\" 'd'>".xmlEscaped, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
    }

    func testPalettesAreOkabeItoAndViridis() {
        XCTAssertEqual(FigurePalette.okabeIto.count, 8)
        XCTAssertEqual(FigurePalette.categorical(0).hex, "#0072b2")
        XCTAssertEqual(FigurePalette.categorical(9), FigurePalette.categorical(1), "the colours cycle")
        XCTAssertEqual(SequentialPalette.viridis.color(at: 0.5).hex, "#21918c")
        XCTAssertEqual(SequentialPalette.cividis.start.hex, "#00224e")
    }
}
