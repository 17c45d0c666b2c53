import Evaluation
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import LeukemiaKit

/// The progress line, the JSON-lines epoch log and the curves image.
final class CNNReportingTests: XCTestCase {
    func testTheProgressLineShowsRateAndTimeLeft() {
        let line = ProgressBar(width: 10).line(epoch: 3, epochs: 50, done: 50, total: 200, elapsed: 10, loss: 0.5)
        XCTAssertEqual(line, "epoch 3/50 [##........]  50/200  5.0 img/s  left 0:30  loss 0.5000")
        XCTAssertEqual(ProgressBar.clock(3725), "1:02:05")
        XCTAssertEqual(ProgressBar.clock(nil), "--:--")
    }

    private let records = (1...4).map {
        EpochRecord(epoch: $0, trainLoss: 2.0 / Double($0), trainAccuracy: 0.2 * Double($0),
                    validationLoss: [1.5, 1.0, 1.2, 1.3][$0 - 1], validationAccuracy: 0.5, learningRate: $0 < 4 ? 1e-4 : 1e-5,
                    isBest: $0 <= 2)
    }

    func testTheEpochLogRoundTripsOneObjectPerLine() throws {
        let folder = try TemporaryFolder(self)
        let log = EpochLog(url: folder.url.appendingPathComponent("epochs.jsonl"))
        XCTAssertEqual(try log.read(), [])
        try log.write(records)
        XCTAssertEqual(try log.read(), records)
        try log.write(Array(records.prefix(2)))
        XCTAssertEqual(try log.read(), Array(records.prefix(2)), "rewriting cuts the log, as a resumed run does")
        try log.write(records)
        let lines = try String(contentsOf: log.url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].hasPrefix("{\"epoch\":1,\"is_best\":true,"), String(lines[0]))
    }

    func testTheCurvesImageHasThreePanelsAndMarksTheBestEpoch() throws {
        let image = try ImageDecoder.decode(data: try TrainingCurves.png(records), source: "curves")
        let figure = TrainingCurves.figure(records)
        XCTAssertEqual([image.width, image.height], [figure.width, figure.height])
        let plots = figure.layout().plots
        XCTAssertEqual(plots.count, 3, "loss, accuracy, learning rate")
        // Best epoch 2 of the x range 1...4: a vertical line a third of the way across each plot.
        let black = Figure.bestColor
        for (index, plot) in plots.enumerated() {
            let pixel = image.pixel(x: Int(plot.x + plot.width / 3), y: Int(plot.y) + 3)
            XCTAssertEqual([pixel.red, pixel.green, pixel.blue], [black.red, black.green, black.blue], "panel \(index)")
        }
        // The learning-rate panel's curve is drawn in its colour somewhere inside its plot.
        let rate = plots[2], green = Figure.rateColor
        var greens = 0
        for y in Int(rate.y)..<Int(rate.maxY) {
            for x in Int(rate.x)..<Int(rate.maxX) {
                let pixel = image.pixel(x: x, y: y)
                if [pixel.red, pixel.green, pixel.blue] == [green.red, green.green, green.blue] { greens += 1 }
            }
        }
        XCTAssertGreaterThan(greens, 0)
    }
}
