import Foundation
import Imaging

/// An element of the page of a `BrowserSession`, found by a CSS selector; stale once the page changes.
public struct BrowserElement {
    /// The key of WebDriver's element references.
    static let referenceKey = "element-6066-11e4-a52e-4f735466cecf"

    public let id: String
    /// The selector it was found by, for error messages.
    public let selector: String
    let session: BrowserSession

    init(reference: Any, session: BrowserSession, selector: String) throws {
        guard let id = (reference as? [String: Any])?[Self.referenceKey] as? String else {
            throw BrowserTestError("finding element '\(selector)': the answer is not an element reference")
        }
        self.id = id
        self.selector = selector
        self.session = session
    }

    /// How WebDriver passes the element to a script.
    var reference: [String: String] { [Self.referenceKey: id] }

    /// Its rendered text (as `innerText`).
    public func text() throws -> String {
        try command("GET", "text", nil, "reading the text") as? String ?? ""
    }

    /// Its attribute `name` as written in the page, or nil if it has none.
    public func attribute(_ name: String) throws -> String? {
        try command("GET", "attribute/\(name)", nil, "reading attribute \(name)") as? String
    }

    /// Its box in CSS pixels, relative to the page's top-left corner (the same as the viewport's
    /// while the page is not scrolled).
    public func rect() throws -> ElementRect {
        let value = try command("GET", "rect", nil, "reading the rectangle") as? [String: Any] ?? [:]
        func number(_ key: String) -> Double { (value[key] as? NSNumber)?.doubleValue ?? .nan }
        return ElementRect(x: number("x"), y: number("y"), width: number("width"), height: number("height"))
    }

    /// Clicks its centre (scrolled into view first).
    public func click() throws {
        try command("POST", "click", [:], "clicking")
    }

    /// Types `text` into it; for an `<input type=file>`, `text` is a local path (several, one a
    /// line, for `multiple`).
    public func sendKeys(_ text: String) throws {
        try command("POST", "value", ["text": text], "typing \"\(text.prefix(80))\"")
    }

    /// Chooses `files` in an `<input type=file>` (several need its `multiple` attribute).
    public func chooseFiles(_ files: [URL]) throws {
        try sendKeys(files.map(\.path).joined(separator: "\n"))
    }

    /// Its box alone, scrolled into view: width x height CSS pixels times the device pixel ratio.
    public func screenshot() throws -> RGBImage {
        try session.decodeScreenshot(command("GET", "screenshot", nil, "taking a screenshot"), of: "element '\(selector)'")
    }

    @discardableResult
    private func command(_ method: String, _ path: String, _ body: [String: Any]?, _ action: String) throws -> Any {
        try session.command(method, "element/\(id)/\(path)", body, "\(action) of element '\(selector)'")
    }
}
