import XCTest
@testable import Evaluation

/// The training-curves figure rasterized (`curves.png`'s pixels) and the bitmap font.
final class FigureRasterTests: XCTestCase {
    private let figure = Figure.trainingCurves(epochs: [1, 2, 3, 4], trainLoss: [2, 1, 0.7, 0.5], validationLoss: [1.5, 1, 1.2, 1.3],
                                               trainAccuracy: [0.2, 0.4, 0.6, 0.8], validationAccuracy: [0.5, 0.5, 0.5, 0.5],
                                               bestEpoch: 2)

    private func color(_ canvas: Canvas, _ x: Int, _ y: Int) -> FigureColor {
        let offset = (y * canvas.width + x) * 3
        return FigureColor(canvas.pixels[offset], canvas.pixels[offset + 1], canvas.pixels[offset + 2])
    }

    private func count(_ canvas: Canvas, in rect: PixelRect, where matches: (FigureColor) -> Bool) -> Int {
        (Int(rect.y)..<Int(rect.maxY)).reduce(0) { total, y in
            total + (Int(rect.x)..<Int(rect.maxX)).filter { matches(color(canvas, $0, y)) }.count
        }
    }

    func testThePlotAreasHoldTheCurvesAndTheTitleIsInked() {
        let canvas = figure.rasterized()
        XCTAssertEqual([canvas.width, canvas.height], [720, 300], "two panels of 360 x 300")
        let plots = figure.layout().plots
        XCTAssertEqual(plots.count, 2)
        for plot in plots {
            XCTAssertGreaterThan(count(canvas, in: plot) { $0 == FigurePalette.categorical(0) }, 50, "training line")
            XCTAssertGreaterThan(count(canvas, in: plot) { $0 == FigurePalette.categorical(1) }, 30, "validation dashes")
        }
        // "Training curves" at 16 px: doubled 5 x 7 glyphs, 15 characters of 12 pixels, baseline at 28.
        let title = PixelRect(x: 12, y: 14, width: 15 * 12, height: 14)
        let inked = count(canvas, in: title) { $0 == .ink }
        XCTAssertGreaterThan(inked, 200)
        XCTAssertEqual(count(canvas, in: PixelRect(x: 12, y: 0, width: 180, height: 13)) { $0 != .white }, 0, "nothing above the title")
    }

    func testGlyphsComeFromTheFiveBySevenTable() {
        // "1": a vertical stroke in the middle column, a foot across the bottom row.
        XCTAssertTrue((0..<7).allSatisfy { BitmapFont.isLit("1", column: 2, row: $0) })
        XCTAssertEqual((0..<5).map { BitmapFont.isLit("1", column: $0, row: 6) }, [false, true, true, true, false])
        XCTAssertEqual(BitmapFont.glyph(for: "é"), BitmapFont.glyph(for: "?"))
        XCTAssertEqual(BitmapFont.glyph(for: "−"), BitmapFont.glyph(for: "-"))
        var canvas = Canvas(width: 40, height: 10)
        canvas.draw("1", at: PixelPoint(0, 8), style: TextStyle(size: 12, color: .black))
        XCTAssertEqual(color(canvas, 2, 1), .black, "the stroke of 1 at (2, 8 - 7)")
        XCTAssertEqual(color(canvas, 4, 1), .white)
    }
}
