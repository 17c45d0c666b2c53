import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `chromedriver` child process listening on a free loopback port, until `stop()`.
final class ChromeDriverProcess {
    /// What to tell a developer whose machine lacks the browser or its driver.
    static let setupHint = "run `bash scripts/setup.sh` (it installs the Debian packages chromium and chromium-driver)"

    let port: UInt16
    private let process: Process

    /// Starts `executable` on a free port and waits until its `/status` says it is ready.
    /// - Throws: `BrowserTestError` if it cannot start, exits, or is not ready within `timeout`.
    init(executable: String, timeout: TimeInterval) throws {
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BrowserTestError("cannot start \(executable): \(error.localizedDescription); \(Self.setupHint)")
        }
        do {
            try waitUntilReady(timeout: timeout)
        } catch {
            stop()
            throw error
        }
    }

    deinit {
        stop()
    }

    /// Ends the process (SIGTERM, then SIGKILL after 3 s) and reaps it; does nothing if it has ended.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The first of `names` found as an executable file in `PATH`, then in /usr/bin and /usr/local/bin.
    static func locate(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for name in names {
            for folder in folders {
                let candidate = folder + "/" + name
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    private func waitUntilReady(timeout: TimeInterval) throws {
        let status = URL(string: "http://127.0.0.1:\(port)/status")!
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw BrowserTestError("chromedriver exited with status \(process.terminationStatus) before it was ready")
            }
            if let value = try? WebDriverHTTP.send("GET", status, body: nil, timeout: 1, action: "chromedriver status"),
               let ready = (value as? [String: Any])?["ready"] as? Bool, ready {
                return
            }
            usleep(50_000)
        }
        throw BrowserTestError("chromedriver on port \(port) was not ready after \(timeout) s")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago: the kernel's choice for a socket bound
    /// to port 0, released for chromedriver to take.
    private static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BrowserTestError("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let found = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard found else { throw BrowserTestError("cannot bind a socket to find a free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}
