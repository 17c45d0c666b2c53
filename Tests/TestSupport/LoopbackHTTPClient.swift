import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client for servers on 127.0.0.1: one request per connection
/// (`Connection: close`), for tests and benchmarks of local servers.
///
/// Plain sockets rather than URLSession: Foundation's URLSession on Linux rejects some servers'
/// headers (chromedriver's lack the space after the colon), and a test of a server that refuses
/// a large body early must still read the answer after the server stopped reading.
public enum LoopbackHTTPClient {
    /// An answer: the status, the headers (names in lower case) and the body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object.
        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw LoopbackHTTPError("the answer is not a JSON object: \(text.prefix(300))")
            }
            return object
        }
    }

    /// Sends `method path` with `headers` and `body` to the server on `port` and reads the whole
    /// answer (`Content-Length` bytes, or all until the server closes). Writing stops quietly when
    /// the server closes early (it may have answered before reading the whole body).
    /// - Throws: `LoopbackHTTPError` when the server cannot be reached or gives no answer within `timeout`.
    public static func send(_ method: String, port: Int, path: String, headers: [String: String] = [:], body: Data = Data(),
                            timeout: TimeInterval = 30) throws -> Answer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackHTTPError("cannot open a socket") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int(timeout.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw LoopbackHTTPError("cannot connect to port \(port): \(String(cString: strerror(errno)))") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        var request = Data((head + "\r\n").utf8)
        request.append(body)
        // Send until done, or until the server answers or closes (it may refuse a large body
        // early and stop reading it): then read what it answered.
        request.withUnsafeBytes { raw in
            var sent = 0
            let deadline = Date() + timeout
            while sent < raw.count, Date() < deadline {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT | POLLIN), revents: 0)
                guard poll(&poller, 1, 100) >= 0 else { return }
                if poller.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { return }
                guard poller.revents & Int16(POLLOUT) != 0 else { continue }
                let written = Glibc.send(descriptor, raw.baseAddress! + sent, min(raw.count - sent, 1 << 20),
                                         Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                if written < 0, errno == EAGAIN { continue }
                guard written > 0 else { return }
                sent += written
            }
        }

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        var header: (status: Int, headers: [String: String], bodyStart: Int, length: Int?)?
        while true {
            if let header, let length = header.length, received.count - header.bodyStart >= length { break }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else {
                if errno == ECONNRESET, header != nil { break }
                let reason = errno == EAGAIN ? "no answer within \(timeout) s" : String(cString: strerror(errno))
                throw LoopbackHTTPError("\(method) \(path): reading the answer: \(reason)")
            }
            received.append(contentsOf: buffer[0..<count])
            if header == nil, let end = received.range(of: separator) {
                let lines = String(decoding: received[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                var fields: [String: String] = [:]
                for line in lines.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    fields[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
                }
                header = (status, fields, end.upperBound, fields["content-length"].flatMap { Int($0) })
            }
        }
        guard let header else { throw LoopbackHTTPError("\(method) \(path): the answer has no complete HTTP header") }
        let rest = received[header.bodyStart...]
        return Answer(status: header.status, headers: header.headers, body: Data(header.length.map { rest.prefix($0) } ?? rest))
    }

    /// A `multipart/form-data` body of `files` (name, content type, bytes) in the field `images`,
    /// and its content type.
    public static func multipart(_ files: [(name: String, type: String, bytes: Data)]) -> (body: Data, contentType: String) {
        let boundary = "leukemia-\(UUID().uuidString)"
        var body = Data()
        for file in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"images\"; filename=\"\(file.name)\"\r\n".utf8))
            body.append(Data("Content-Type: \(file.type)\r\n\r\n".utf8))
            body.append(file.bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

/// Why `LoopbackHTTPClient` got no answer.
public struct LoopbackHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
