import Foundation
import LeukemiaServer
import TestSupport
import XCTest

/// A `LeukemiaService` running in the test process on a free loopback port, until `stop()`.
final class RunningService: @unchecked Sendable {
    let service: LeukemiaService
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts a service over `runs` (configured further by `configure`), and waits until it is ready.
    init(runs: [URL], _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(runs: runs)
        configuration.port = 0
        configure(&configuration)
        let service = try LeukemiaService(configuration: configuration)
        let listening = DispatchSemaphore(value: 0)
        let bound = LockedPort()
        task = Task {
            try await service.run(handlingSignals: false) { port in
                bound.value = port
                listening.signal()
            }
        }
        guard listening.wait(timeout: .now() + 30) == .success else { throw LoopbackHTTPError("the service did not start") }
        self.service = service
        port = bound.value
        let deadline = Date() + 30
        while (try? send("GET", "/readyz").status) != 200 {
            guard Date() < deadline else { throw LoopbackHTTPError("the service did not get ready") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Sends a request to the service.
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) throws
        -> LoopbackHTTPClient.Answer {
        try LoopbackHTTPClient.send(method, port: port, path: path, headers: headers, body: body)
    }

    /// Asserts that `/healthz` still answers 200.
    func assertAlive(after what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try send("GET", "/healthz").status, 200, "/healthz after \(what)", file: file, line: line)
    }

    /// Stops the service as SIGTERM does (what is queued is answered) and waits until it has.
    func stop() {
        let done = DispatchSemaphore(value: 0)
        Task { [service, task] in
            await service.shutDown()
            _ = await task.result
            done.signal()
        }
        done.wait()
    }

    private final class LockedPort: @unchecked Sendable {
        private let lock = NSLock()
        private var port = 0
        var value: Int {
            get { lock.withLock { port } }
            set { lock.withLock { port = newValue } }
        }
    }
}
