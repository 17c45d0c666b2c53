import BrowserTestSupport
import Foundation
import Imaging
import TestSupport
import XCTest

/// The WebDriver client against real headless Chromium: figures told apart by their pixels,
/// console errors, file inputs, http:// pages. One browser serves the whole class (starting one
/// takes a second or two); a machine without Chromium fails every test, saying to run the setup.
final class BrowserSessionTests: XCTestCase {
    private static var shared: Result<BrowserSession, Error>?
    private var session: BrowserSession!

    override func setUpWithError() throws {
        if Self.shared == nil {
            Self.shared = Result { try BrowserSession(viewportWidth: 640, viewportHeight: 480) }
        }
        session = try Self.shared!.get()
        _ = try session.consoleLog()  // what earlier tests left in the console
    }

    override class func tearDown() {
        if case .success(let session) = shared { session.quit() }
        shared = nil
        super.tearDown()
    }

    func testDrawnFigureHasInkAndBlankFigureHasNone() throws {
        let folder = try TemporaryFolder(self)
        let page = try folder.write("report.html", """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Figures</title></head>
            <body style="margin:0; background:#fff">
            <svg class="figure" data-figure="drawn" width="200" height="100" style="position:absolute; left:20px; top:30px">
              <rect x="50" y="25" width="100" height="50" fill="#1f77b4"/>
            </svg>
            <svg class="figure" data-figure="blank" width="200" height="100" style="position:absolute; left:300px; top:30px"></svg>
            </body></html>
            """)
        try session.navigate(to: page)
        XCTAssertEqual(try session.title(), "Figures")

        let screenshot = try session.screenshot()
        XCTAssertEqual(session.devicePixelRatio, 1)
        XCTAssertEqual([screenshot.width, screenshot.height], [640, 480], "a screenshot is the viewport, one pixel per CSS pixel")

        let figures = try session.findElements("svg.figure, img.figure")
        XCTAssertEqual(try figures.map { try $0.attribute("data-figure") }, ["drawn", "blank"])
        let drawn = try figures[0].rect(), blank = try figures[1].rect()
        XCTAssertEqual(drawn, ElementRect(x: 20, y: 30, width: 200, height: 100))
        // The drawn rectangle covers a quarter of its figure; the blank figure is all background.
        XCTAssertEqual(try nonBackgroundPixelFraction(in: drawn, of: screenshot, scale: session.devicePixelRatio), 0.25,
                       accuracy: 0.01)
        XCTAssertEqual(try nonBackgroundPixelFraction(in: blank, of: screenshot, scale: session.devicePixelRatio), 0)
        XCTAssertEqual(screenshot.pixel(x: 120, y: 80).blue, 0xB4, "the rectangle's colour, at its centre")

        // An element's own screenshot is its box.
        let alone = try figures[0].screenshot()
        XCTAssertEqual([alone.width, alone.height], [200, 100])
        XCTAssertEqual(try nonBackgroundPixelFraction(in: ElementRect(x: 0, y: 0, width: 200, height: 100), of: alone),
                       0.25, accuracy: 0.01)

        XCTAssertThrowsError(try nonBackgroundPixelFraction(in: ElementRect(x: 600, y: 0, width: 100, height: 10),
                                                            of: screenshot)) {
            XCTAssertTrue("\($0)".contains("reaches outside the 640 x 480 screenshot"), "\($0)")
        }
    }

    func testConsoleErrorsOfAPageAreReportedAndACleanPageHasNone() throws {
        let folder = try TemporaryFolder(self)
        let broken = try folder.write("broken.html", """
            <!DOCTYPE html><html><body><p>broken</p>
            <script>console.error("figure data missing"); throw new Error("cannot draw figure 3");</script>
            </body></html>
            """)
        let clean = try folder.write("clean.html", """
            <!DOCTYPE html><html><body><p>clean</p><script>console.log("all figures drawn");</script></body></html>
            """)

        try session.navigate(to: broken)
        let errors = try session.consoleLog().filter(\.isError).map(\.message)
        XCTAssertEqual(errors.count, 2, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("figure data missing") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("Uncaught Error: cannot draw figure 3") }, "\(errors)")

        try session.navigate(to: clean)
        let log = try session.consoleLog()
        XCTAssertEqual(log.filter(\.isError), [], "\(log)")
        XCTAssertTrue(log.contains { $0.level == "INFO" && $0.message.contains("all figures drawn") },
                      "the log is read, and holds the page's own message: \(log)")
    }

    func testFileInputShowsTheChosenFilesNames() throws {
        let folder = try TemporaryFolder(self)
        let first = try folder.write("smear-1.png", "not really a PNG")
        let second = try folder.write("smear-2.jpg", "not really a JPEG")
        let page = try folder.write("upload.html", """
            <!DOCTYPE html><html><body>
            <input type="file" id="images" multiple>
            <p id="chosen"></p>
            <script>
            document.getElementById("images").addEventListener("change", event => {
              document.getElementById("chosen").textContent = Array.from(event.target.files).map(f => f.name).join(", ");
            });
            </script>
            </body></html>
            """)
        try session.navigate(to: page)
        try session.findElement("#images").chooseFiles([first, second])
        let chosen = try session.findElement("#chosen")
        try session.waitUntil("the chosen files' names on the page", timeout: 5) { try !chosen.text().isEmpty }
        XCTAssertEqual(try chosen.text(), "smear-1.png, smear-2.jpg")
    }

    func testHTTPPageIsReadAndClickedWithoutConsoleErrors() throws {
        let page = """
            <!DOCTYPE html><html><head><link rel="icon" href="data:,"><title>Served</title></head><body>
            <button id="go" onclick="document.getElementById('out').textContent = 'clicked ' + this.dataset.n" data-n="7">go</button>
            <p id="out"></p>
            </body></html>
            """
        let server = try LoopbackHTTPServer(files: ["/index.html": Data(page.utf8)])
        defer { server.stop() }
        try session.navigate(to: server.url("/index.html"))
        XCTAssertEqual(try session.title(), "Served")
        let button = try session.findElement("#go")
        XCTAssertEqual(try button.attribute("data-n"), "7")
        XCTAssertNil(try button.attribute("data-missing"))
        try button.click()
        XCTAssertEqual(try session.findElement("#out").text(), "clicked 7")
        XCTAssertEqual(try session.executeScript("return arguments[0].id", [button]) as? String, "go")
        XCTAssertEqual(try session.consoleLog().filter(\.isError), [])
    }

    func testErrorsNameWhatFailed() throws {
        try session.navigate(to: URL(string: "data:text/html,<p>empty</p>")!)
        XCTAssertThrowsError(try session.findElement("svg.figure")) {
            XCTAssertTrue("\($0)".hasPrefix("finding element 'svg.figure' failed: no such element"), "\($0)")
        }
        XCTAssertThrowsError(try session.waitUntil("a figure", timeout: 0.2) { false }) {
            XCTAssertEqual("\($0)", "timed out after 0.2 s waiting for a figure")
        }
    }
}

final class BrowserSetupTests: XCTestCase {
    func testMissingDriverSaysToRunTheSetup() {
        XCTAssertThrowsError(try BrowserSession(chromedriver: "/nonexistent/chromedriver")) {
            XCTAssertEqual("\($0)", "chromedriver not found at /nonexistent/chromedriver; "
                           + "run `bash scripts/setup.sh` (it installs the Debian packages chromium and chromium-driver)")
        }
        XCTAssertThrowsError(try BrowserSession(chromium: "/nonexistent/chromium")) {
            XCTAssertTrue("\($0)".hasPrefix("Chromium not found at /nonexistent/chromium; run `bash scripts/setup.sh`"), "\($0)")
        }
    }
}
