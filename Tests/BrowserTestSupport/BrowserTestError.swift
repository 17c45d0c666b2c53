/// A failure of the browser-test support: what was being done, and why it failed (for WebDriver
/// commands, the error code and message of WebDriver's error JSON).
public struct BrowserTestError: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
