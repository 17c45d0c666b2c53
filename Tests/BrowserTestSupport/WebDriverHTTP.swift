import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The wire of W3C WebDriver: JSON over HTTP, each answer `{"value": ...}`, each error
/// `{"value": {"error": code, "message": text, "stacktrace": ...}}` with a 4xx or 5xx status.
///
/// HTTP/1.1 over a loopback socket, one connection per command: Foundation's URLSession on Linux
/// rejects chromedriver's answers (their headers lack the space after the colon, and libcurl's
/// header callback in swift-corelibs-foundation fails with "Failed writing header").
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
            (status, data) = try exchange(method, url, payload: payload, timeout: timeout)
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

    /// One request on a new connection to `url`'s loopback port: the answer's status and body
    /// (`Content-Length` bytes, or all until the server closes).
    private static func exchange(_ method: String, _ url: URL, payload: Data, timeout: TimeInterval) throws -> (Int, Data) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BrowserTestError("cannot open a socket") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int(timeout.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(url.port ?? 80).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            throw BrowserTestError("cannot connect to port \(url.port ?? 80): \(String(cString: strerror(errno)))")
        }

        var request = Data("\(method) \(url.path) HTTP/1.1\r\nHost: 127.0.0.1:\(url.port ?? 80)\r\nConnection: close\r\n".utf8)
        if method == "POST" {
            request.append(Data("Content-Type: application/json; charset=utf-8\r\nContent-Length: \(payload.count)\r\n".utf8))
        }
        request.append(Data("\r\n".utf8))
        request.append(payload)
        try request.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let written = Glibc.send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw BrowserTestError("sending the request: \(String(cString: strerror(errno)))") }
                sent += written
            }
        }

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        var header: (status: Int, bodyStart: Int, length: Int?)?
        while true {
            if let header, let length = header.length, received.count - header.bodyStart >= length { break }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else {
                let reason = errno == EAGAIN ? "no answer within \(timeout) s" : String(cString: strerror(errno))
                throw BrowserTestError("reading the answer: \(reason)")
            }
            received.append(contentsOf: buffer[0..<count])
            if header == nil, let end = received.range(of: separator) {
                let lines = String(decoding: received[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                let length = lines.dropFirst().lazy.compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first
                header = (status, end.upperBound, length)
            }
        }
        guard let header else { throw BrowserTestError("the answer has no complete HTTP header") }
        let body = received[header.bodyStart...]
        return (header.status, Data(header.length.map { body.prefix($0) } ?? body))
    }
}
