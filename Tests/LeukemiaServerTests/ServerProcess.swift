import Foundation
import TestSupport

/// `leukemia serve` in a child process (the executable built beside the tests), on a free port.
final class ServerProcess {
    let process = Process()
    let port: Int
    private let output = Pipe()

    /// Starts `leukemia serve arguments --port 0` and waits until it is ready.
    init(_ arguments: [String]) throws {
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("leukemia")
        process.arguments = ["serve"] + arguments + ["--port", "0"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line names the port: "serving NAMES on http://127.0.0.1:PORT/ ...".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw LoopbackHTTPError("leukemia serve ended before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)/"#, options: .regularExpression),
              let port = Int(text[range].dropFirst("127.0.0.1:".count).dropLast()) else {
            throw LoopbackHTTPError("no port in \(text)")
        }
        self.port = port
        let deadline = Date() + 60
        while (try? LoopbackHTTPClient.send("GET", port: port, path: "/readyz").status) != 200 {
            guard Date() < deadline, process.isRunning else { throw LoopbackHTTPError("leukemia serve did not get ready") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Sends `signal` and waits for the process to end; returns its termination status.
    @discardableResult
    func end(with signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
