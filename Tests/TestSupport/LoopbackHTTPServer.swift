import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 file server on 127.0.0.1 for tests of downloads and pages: it answers GET
/// requests for the paths in `files` with their bytes (`.html` files as text/html, the rest as
/// application/octet-stream) and anything else with 404, one connection at a time, until `stop()`.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public let port: UInt16
    private let files: [String: Data]
    private let listener: Int32
    private var stopped = false
    private let lock = NSLock()

    /// Starts serving `files` (URL path such as `/models/x.pth` → contents) on an ephemeral port.
    public init(files: [String: Data]) throws {
        self.files = files
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The URL of `path` on this server.
    public func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    public func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 || lock.withLock({ stopped }) {
                if connection >= 0 { close(connection) }
                return
            }
            respond(on: connection)
            close(connection)
        }
    }

    private static func contentType(of path: String) -> String {
        path.hasSuffix(".html") ? "text/html; charset=utf-8" : "application/octet-stream"
    }

    private func respond(on connection: Int32) {
        var request = [UInt8](repeating: 0, count: 4096)
        let count = recv(connection, &request, request.count, 0)
        guard count > 0 else { return }
        let line = String(decoding: request[0..<count], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : ""
        let body = files[path]
        let header = body == nil
            ? "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.0 200 OK\r\nContent-Type: \(Self.contentType(of: path))\r\nContent-Length: \(body!.count)\r\n\r\n"
        var payload = Data(header.utf8)
        if let body { payload.append(body) }
        payload.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let written = send(connection, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if written <= 0 { return }
                sent += written
            }
        }
    }
}
