import BrowserTestSupport
import Foundation
import Imaging
import ModelZoo
import TestSupport
import XCTest

/// `leukemia compare`'s report.html in real headless Chromium: an XGBoost and a tiny CNN run
/// trained on one split of synthetic data, compared through the `leukemia` executable; the page
/// loads without console errors, and every figure and gallery image has ink in its box.
final class ComparisonReportBrowserTests: XCTestCase {
    /// Runs the `leukemia` executable built beside the tests; fails the test with its standard error.
    private func leukemia(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("leukemia")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "leukemia \(arguments.joined(separator: " ")): \(message)")
        if process.terminationStatus != 0 { throw BrowserTestError("leukemia \(arguments[0]) failed") }
    }

    func testComparisonReportLoadsCleanlyAndEveryFigureIsDrawn() throws {
        let folder = try TemporaryFolder(self)
        let data = folder.url.appendingPathComponent("data"), networkConfig = folder.url.appendingPathComponent("tiny.json")
        try SyntheticSmears.writeDataset(at: data, perClass: 12, seed: 4, size: 32)
        // A tiny DenseNet: two blocks of two layers, growth 4 (as the CNN command tests).
        try JSONEncoder().encode(NetworkBlueprint.denseNet(DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 2],
                                                                                  initialFeatures: 8, classCount: 4)))
            .write(to: networkConfig)
        let xgboost = folder.url.appendingPathComponent("xgboost"), cnn = folder.url.appendingPathComponent("cnn")
        try leukemia(["train", "--model", "xgboost", "--data", data.path, "--out", xgboost.path])
        try leukemia(["train", "--model", "densenet201", "--network-config", networkConfig.path, "--weights", "none",
                      "--input-size", "32", "--batch-size", "8", "--epochs", "2", "--data", data.path, "--out", cnn.path,
                      "--split", xgboost.appendingPathComponent("split.json").path,
                      "--feature-cache", folder.url.appendingPathComponent("features").path])
        let out = folder.url.appendingPathComponent("comparison")
        try leukemia(["compare", xgboost.path, cnn.path, "--out", out.path, "--resamples", "100"])

        let session = try BrowserSession(viewportWidth: 1280, viewportHeight: 1000)
        defer { session.quit() }
        try session.navigate(to: out.appendingPathComponent("report.html"))
        XCTAssertEqual(try session.title(), "Comparison of 2 models")
        XCTAssertEqual(try session.consoleLog().filter(\.isError), [])

        let figures = try session.findElements("svg.figure, img.figure")
        let names = try figures.map { try $0.attribute("data-figure") ?? "?" }
        XCTAssertEqual(names.filter { $0 == "roc" }.count, 2, "\(names)")
        XCTAssertEqual(names.filter { $0 == "training-curves" }.count, 1, "\(names)")
        XCTAssertEqual(figures.count, 1 + 2 * 5 + 1, "the models' risk-coverage together, five figures a model, the CNN's curves: \(names)")
        for (figure, name) in zip(figures, names) {
            let shot = try figure.screenshot()
            XCTAssertGreaterThan(shot.width * shot.height, 10_000, name)
            let ink = try nonBackgroundPixelFraction(in: ElementRect(x: 0, y: 0, width: Double(shot.width), height: Double(shot.height)),
                                                     of: shot)
            XCTAssertGreaterThan(ink, 0.01, "figure \(name) is blank")
        }
        let thumbnails = try session.findElements(".card img")
        XCTAssertFalse(thumbnails.isEmpty, "a tiny CNN misclassifies some images")
        for image in thumbnails.prefix(8) {
            let alt = try image.attribute("alt") ?? "?"
            let shot = try image.screenshot()
            let ink = try nonBackgroundPixelFraction(in: ElementRect(x: 0, y: 0, width: Double(shot.width), height: Double(shot.height)),
                                                     of: shot)
            XCTAssertGreaterThan(ink, 0.05, "gallery image \(alt) is blank")
        }
        XCTAssertEqual(try session.consoleLog().filter(\.isError), [], "no errors after scrolling through the page")
    }
}
