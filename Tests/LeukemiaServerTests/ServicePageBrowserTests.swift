import BrowserTestSupport
import Foundation
import Imaging
import Randomness
import TestSupport
import XCTest

/// The page at `/` in headless Chromium: two images uploaded through its file input get the
/// classes the API gives, a Grad-CAM overlay toggles, the case summary counts them, and an
/// API error is shown in words.
///
/// With `LEUKEMIA_WRITE_DOCS_SCREENSHOT=1` the screenshot of the page with results is written to
/// `docs/serve-page.png` (shown in the README); otherwise into the test's temporary folder.
final class ServicePageBrowserTests: XCTestCase {
    func testTwoUploadedImagesShowTheirClassesOnThePage() throws {
        let runs = try ServedRuns.shared()
        let folder = try TemporaryFolder(self)
        let server = try RunningService(runs: [runs.cnn, runs.classical]) { $0.logDatabase = nil }
        defer { server.stop() }
        var generator = SeededGenerator(seed: 5)
        let files = try [(3, "smear-a.jpg"), (0, "smear-b.jpg")].map { classIndex, name in
            let url = folder.url.appendingPathComponent(name)
            try ImageEncoder.jpeg(SyntheticSmears.image(classIndex: classIndex, size: 160, generator: &generator), quality: 92).write(to: url)
            return url
        }
        let expected = try files.map { file in
            let answer = try server.send("POST", "/v1/models/tiny-densenet/predict", headers: ["Content-Type": "image/jpeg"],
                                         body: Data(contentsOf: file))
            return try XCTUnwrap((try answer.json()["predictions"] as? [[String: Any]])?.first?["predicted_class"] as? String)
        }

        let session = try BrowserSession(viewportWidth: 1100, viewportHeight: 900)
        defer { session.quit() }
        try session.navigate(to: URL(string: "http://127.0.0.1:\(server.port)/")!)
        try session.waitUntil("the models are listed") { try session.findElements("#model option").count == 2 }
        XCTAssertEqual(try session.executeScript("return document.getElementById('model').value") as? String, "tiny-densenet")

        try session.findElement("#files").chooseFiles(files)
        try session.waitUntil("two result cards", timeout: 20) { try session.findElements(".card .class").count == 2 }
        XCTAssertEqual(try session.findElements(".card h3.file").map { try $0.text() }, ["smear-a.jpg", "smear-b.jpg"])
        XCTAssertEqual(try session.findElements(".card .class").map { try $0.text() }, expected)
        XCTAssertEqual(try session.findElements(".card:first-child .bars li").count, 4, "one probability bar per class")
        let counts = try session.findElements("#counts td.count").map { Int(try $0.text()) ?? -1 }
        XCTAssertEqual(counts.dropLast().reduce(0, +), 2, "the case summary counts both images")

        let toggle = try session.findElement(".card:first-child button.gradcam")
        try toggle.click()
        try session.waitUntil("the Grad-CAM overlay", timeout: 20) { try toggle.attribute("aria-pressed") == "true" }
        XCTAssertTrue(try session.findElement(".card:first-child img").attribute("src")?.hasPrefix("blob:") == true)
        XCTAssertEqual(try session.consoleLog().filter(\.isError), [], "no console errors")

        try session.executeScript("window.scrollTo(0, 0); document.activeElement.blur()")
        let screenshot = try session.screenshot()
        let target = ProcessInfo.processInfo.environment["LEUKEMIA_WRITE_DOCS_SCREENSHOT"] == "1"
            ? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/serve-page.png").standardized
            : folder.url.appendingPathComponent("serve-page.png")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ImageEncoder.png(screenshot).write(to: target)

        // An API error is shown in words: a text file named like a PNG.
        let notes = folder.url.appendingPathComponent("notes.png")
        try Data("not an image\n".utf8).write(to: notes)
        try session.findElement("#files").chooseFiles([notes])
        try session.waitUntil("the error message") { try session.findElement("#error").attribute("hidden") == nil }
        XCTAssertTrue(try session.findElement("#error").text().hasPrefix("Not a JPEG or PNG image: "))
    }
}
