import Foundation
import Imaging

/// Headless Chromium driven through W3C WebDriver: a `chromedriver` child process and one
/// session on it, both ended by `quit()` (or when the session is released).
///
/// The viewport is exactly `viewportWidth` x `viewportHeight` CSS pixels (headless Chromium
/// counts a window frame in `--window-size`, so the window is enlarged by that frame after
/// start), and screenshots are of the viewport, `devicePixelRatio` screenshot pixels per CSS pixel
/// (1: the browser is started with `--force-device-scale-factor=1`; `init` checks it).
///
/// The browser's console is recorded at every level; `consoleLog()` returns what it logged since
/// the previous call. Chromium requests `/favicon.ico` from http:// pages, and a 404 there is a
/// console error: pages under test declare `<link rel="icon" href="data:,">` to avoid it.
public final class BrowserSession {
    public let viewportWidth: Int
    public let viewportHeight: Int
    /// Screenshot pixels per CSS pixel, read from the page (`window.devicePixelRatio`).
    public private(set) var devicePixelRatio: Double = 1
    /// How long one WebDriver command (a page load included) may take.
    public let timeout: TimeInterval

    private let driver: ChromeDriverProcess
    private let sessionURL: URL
    private var ended = false

    /// Starts chromedriver and headless Chromium with a viewport of `viewportWidth` x `viewportHeight`.
    /// - Parameters:
    ///   - chromedriver, chromium: executables; by default `chromedriver` and `chromium` (or
    ///     `chromium-browser`, `google-chrome`) found in `PATH`.
    /// - Throws: `BrowserTestError`; when an executable is missing, the message says to run
    ///   `bash scripts/setup.sh`.
    public init(viewportWidth: Int = 800, viewportHeight: Int = 600, timeout: TimeInterval = 20,
                chromedriver: String? = nil, chromium: String? = nil) throws {
        guard let driverPath = chromedriver ?? ChromeDriverProcess.locate(["chromedriver"]),
              FileManager.default.isExecutableFile(atPath: driverPath) else {
            let place = chromedriver.map { "at \($0)" } ?? "in PATH"
            throw BrowserTestError("chromedriver not found \(place); \(ChromeDriverProcess.setupHint)")
        }
        guard let browserPath = chromium ?? ChromeDriverProcess.locate(["chromium", "chromium-browser", "google-chrome"]),
              FileManager.default.isExecutableFile(atPath: browserPath) else {
            throw BrowserTestError("Chromium not found \(chromium.map { "at \($0)" } ?? "in PATH"); \(ChromeDriverProcess.setupHint)")
        }
        self.viewportWidth = viewportWidth
        self.viewportHeight = viewportHeight
        self.timeout = timeout
        driver = try ChromeDriverProcess(executable: driverPath, timeout: timeout)
        let milliseconds = Int(timeout * 1000)
        let capabilities: [String: Any] = [
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": ["pageLoad": milliseconds, "script": milliseconds, "implicit": 0],
            "goog:chromeOptions": [
                "binary": browserPath,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--force-device-scale-factor=1", "--window-size=\(viewportWidth),\(viewportHeight)"],
            ],
            "goog:loggingPrefs": ["browser": "ALL"],
        ]
        let root = URL(string: "http://127.0.0.1:\(driver.port)")!
        let created = try WebDriverHTTP.send("POST", root.appendingPathComponent("session"),
                                             body: ["capabilities": ["alwaysMatch": capabilities]],
                                             timeout: timeout, action: "starting headless Chromium (\(browserPath))")
        guard let id = (created as? [String: Any])?["sessionId"] as? String else {
            driver.stop()
            throw BrowserTestError("starting headless Chromium: chromedriver answered without a session id")
        }
        sessionURL = root.appendingPathComponent("session").appendingPathComponent(id)
        do {
            try fitViewport()
        } catch {
            quit()
            throw error
        }
    }

    deinit {
        quit()
    }

    /// Ends the browser session and the chromedriver process; later calls do nothing.
    public func quit() {
        guard !ended else { return }
        ended = true
        _ = try? WebDriverHTTP.send("DELETE", sessionURL, body: nil, timeout: timeout, action: "ending the session")
        driver.stop()
    }

    /// Opens `url` (file:// or http://) and waits until the page has loaded.
    public func navigate(to url: URL) throws {
        try command("POST", "url", ["url": url.absoluteString], "opening \(url.absoluteString)")
    }

    /// The page's title.
    public func title() throws -> String {
        try command("GET", "title", nil, "reading the title") as? String ?? ""
    }

    /// The first element matching the CSS `selector`.
    public func findElement(_ selector: String) throws -> BrowserElement {
        let value = try command("POST", "element", ["using": "css selector", "value": selector], "finding element '\(selector)'")
        return try BrowserElement(reference: value, session: self, selector: selector)
    }

    /// Every element matching the CSS `selector`, in document order (none is not an error).
    public func findElements(_ selector: String) throws -> [BrowserElement] {
        let value = try command("POST", "elements", ["using": "css selector", "value": selector], "finding elements '\(selector)'")
        return try (value as? [Any] ?? []).map { try BrowserElement(reference: $0, session: self, selector: selector) }
    }

    /// Runs `script` as the body of a function in the page (`arguments[0]`... are `arguments`,
    /// elements passed as `BrowserElement`) and returns its JSON result (`NSNull` for null).
    @discardableResult
    public func executeScript(_ script: String, _ arguments: [Any] = []) throws -> Any {
        let wired = arguments.map { ($0 as? BrowserElement)?.reference ?? $0 }
        return try command("POST", "execute/sync", ["script": script, "args": wired], "running script \(script.prefix(80))")
    }

    /// Polls `condition` every 50 ms until it is true; errors it throws end the wait.
    /// - Throws: `BrowserTestError` saying "timed out after ... waiting for `description`".
    public func waitUntil(_ description: String, timeout: TimeInterval = 5, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else {
                throw BrowserTestError("timed out after \(timeout) s waiting for \(description)")
            }
            usleep(50_000)
        }
    }

    /// What the browser's console received since the previous call (or the session's start):
    /// `console.*` calls, uncaught exceptions, failed loads. Chromium-specific (`/se/log`).
    public func consoleLog() throws -> [ConsoleEntry] {
        let value = try command("POST", "se/log", ["type": "browser"], "reading the browser console log")
        return (value as? [[String: Any]] ?? []).map {
            ConsoleEntry(level: $0["level"] as? String ?? "", message: $0["message"] as? String ?? "",
                         source: $0["source"] as? String ?? "")
        }
    }

    /// The viewport as it looks now.
    public func screenshot() throws -> RGBImage {
        try decodeScreenshot(command("GET", "screenshot", nil, "taking a screenshot"), of: "the viewport")
    }

    /// Sends one command to this session (`path` relative to it) and returns the answer's value.
    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]?, _ action: String) throws -> Any {
        guard !ended else { throw BrowserTestError("\(action) failed: the browser session has ended") }
        let url = path.isEmpty ? sessionURL : sessionURL.appendingPathComponent(path)
        return try WebDriverHTTP.send(method, url, body: method == "POST" ? body ?? [:] : nil, timeout: timeout + 5,
                                      action: action)
    }

    /// Decodes a screenshot answer (a base64 PNG) into RGB pixels.
    func decodeScreenshot(_ value: Any, of subject: String) throws -> RGBImage {
        guard let base64 = value as? String, let data = Data(base64Encoded: base64) else {
            throw BrowserTestError("the screenshot of \(subject) is not base64 data")
        }
        do {
            return try ImageDecoder.decode(data: data, source: "screenshot of \(subject)")
        } catch {
            throw BrowserTestError("decoding the screenshot of \(subject): \(error)")
        }
    }

    /// Grows the window by its frame so that the viewport is the size asked for, and checks it.
    private func fitViewport() throws {
        let measure = "return [window.innerWidth, window.innerHeight, window.outerWidth, window.outerHeight, window.devicePixelRatio]"
        func sizes() throws -> [Double] {
            let value = try executeScript(measure) as? [Any] ?? []
            return value.compactMap { ($0 as? NSNumber)?.doubleValue }
        }
        let before = try sizes()
        guard before.count == 5 else { throw BrowserTestError("measuring the viewport: unexpected answer \(before)") }
        let width = Double(viewportWidth) + before[2] - before[0], height = Double(viewportHeight) + before[3] - before[1]
        try command("POST", "window/rect", ["width": width, "height": height], "resizing the window to \(width) x \(height)")
        let after = try sizes()
        guard after.count == 5, after[0] == Double(viewportWidth), after[1] == Double(viewportHeight) else {
            throw BrowserTestError("the viewport is \(after.prefix(2)) CSS pixels, not \(viewportWidth) x \(viewportHeight)")
        }
        devicePixelRatio = after[4]
    }
}

/// One message of the browser console.
public struct ConsoleEntry: Sendable, Equatable, CustomStringConvertible {
    /// "SEVERE" (console.error, uncaught exceptions, failed loads), "WARNING", "INFO" or "DEBUG".
    public let level: String
    /// Where it came from and what it says, e.g. `file:///tmp/page.html 3:12 Uncaught Error: boom`.
    public let message: String
    /// "console-api", "javascript", "network", ...
    public let source: String

    public var isError: Bool { level == "SEVERE" }
    public var description: String { "\(level) \(message)" }
}
