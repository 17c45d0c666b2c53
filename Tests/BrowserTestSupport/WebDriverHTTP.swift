import Foundation
import TestSupport

/// The wire of W3C WebDriver: JSON over HTTP, each answer `{"value": ...}`, each error
/// `{"value": {"error": code, "message": text, "stacktrace": ...}}` with a 4xx or 5xx status.
///
/// HTTP/1.1 over a loopback socket (`LoopbackHTTPClient`), one connection per command: Foundation's
/// URLSession on Linux rejects chromedriver's answers (their headers lack the space after the
/// colon, and libcurl's header callback in swift-corelibs-foundation fails with "Failed writing header").
enum WebDriverHTTP {
    /// Sends one command and returns the answer's `value` (`NSNull` for null).
    /// - Parameter action: what the command does, for the error message ("finding element '#x'").
    /// - Throws: `BrowserTestError` naming `action` and WebDriver's error code and message, or the
    ///   transport failure.
    static func send(_ method: String, _ url: URL, body: [String: Any]?, timeout: TimeInterval,
                     action: String) throws -> Any {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let (status, data): (Int, Data)
        do {
            let answer = try LoopbackHTTPClient.send(
                method, port: url.port ?? 80, path: url.path,
                headers: method == "POST" ? ["Content-Type": "application/json; charset=utf-8"] : [:], body: payload, timeout: timeout)
            (status, data) = (answer.status, answer.body)
        } catch {
            throw BrowserTestError("\(action) failed: \(method) \(url.path): \(error)")
        }
        let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard let answer = json as? [String: Any], let value = answer["value"] else {
            let text = String(decoding: data.prefix(300), as: UTF8.self)
            throw BrowserTestError("\(action) failed: \(method) \(url.path) answered HTTP \(status) without a JSON value: \(text)")
        }
        if let failure = value as? [String: Any], let code = failure["error"] as? String {
            let message = (failure["message"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw BrowserTestError("\(action) failed: \(code): \(message)")
        }
        guard (200..<300).contains(status) else {
            throw BrowserTestError("\(action) failed: \(method) \(url.path) answered HTTP \(status)")
        }
        return value
    }
}
