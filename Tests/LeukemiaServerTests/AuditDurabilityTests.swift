import Foundation
import LeukemiaServer
import TestSupport
import XCTest

/// The audit log keeps every acknowledged prediction through `kill -9`, and SIGTERM ends the
/// server cleanly after answering what is queued.
final class AuditDurabilityTests: XCTestCase {
    func testPredictionsAcknowledgedBeforeAKillAreInTheLogAfterARestart() throws {
        let runs = try ServedRuns.shared()
        let database = try TemporaryFolder(self).url.appendingPathComponent("audit.sqlite")
        let arguments = [runs.cnn.path, "--log-db", database.path, "--batch-delay-ms", "2"]
        let server = try ServerProcess(arguments)
        let acknowledged = AcknowledgedNames()
        // Four clients send as fast as they can; the kill comes while requests are in flight.
        let clients = (0..<4).map { client in
            Thread {
                for number in 0..<1000 {
                    let name = "client\(client)-\(number).jpg"
                    guard let answer = try? LoopbackHTTPClient.send(
                        "POST", port: server.port, path: "/v1/models/tiny-densenet/predict",
                        headers: ["Content-Type": "image/jpeg", "X-File-Name": name], body: runs.images[client].jpeg, timeout: 10),
                        answer.status == 200 else { return }
                    acknowledged.append(name)
                }
            }
        }
        clients.forEach { $0.start() }
        let deadline = Date() + 20
        while acknowledged.names.count < 24, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        server.end(with: SIGKILL)
        Thread.sleep(forTimeInterval: 0.5)  // the clients see the connection close and stop
        let answered = acknowledged.names
        XCTAssertGreaterThanOrEqual(answered.count, 24, "predictions were acknowledged before the kill")

        // Restarted with a long batching delay, so that a request is still queued when SIGTERM comes.
        let restarted = try ServerProcess([runs.cnn.path, "--log-db", database.path, "--batch-delay-ms", "700"])
        let log = try LoopbackHTTPClient.send("GET", port: restarted.port, path: "/v1/predictions?limit=100000").json()
        let before = Set((log["predictions"] as? [[String: Any]] ?? []).compactMap { $0["image_name"] as? String })
        XCTAssertEqual(Set(answered).subtracting(before), [], "every acknowledged prediction is in the log")

        let queued = AcknowledgedNames()
        let late = Thread {
            if let answer = try? LoopbackHTTPClient.send("POST", port: restarted.port, path: "/v1/models/tiny-densenet/predict",
                                                         headers: ["Content-Type": "image/jpeg", "X-File-Name": "queued.jpg"],
                                                         body: runs.images[0].jpeg, timeout: 10) {
                queued.append("\(answer.status)")
            }
        }
        late.start()
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(restarted.end(with: SIGTERM), 0, "SIGTERM ends the server cleanly")
        let answerDeadline = Date() + 5
        while queued.names.isEmpty, Date() < answerDeadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertEqual(queued.names, ["200"], "what was queued at SIGTERM is answered")
        let recorded = before.union(["queued.jpg"])
        XCTAssertEqual(try AuditLog(url: database).records(limit: 100_000).count, recorded.count)

        let printer = Process()
        printer.executableURL = Bundle.main.bundleURL.appendingPathComponent("leukemia")
        printer.arguments = ["log", "--db", database.path, "--since", "2000-01-01"]
        let output = Pipe()
        printer.standardOutput = output
        try printer.run()
        let csv = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        printer.waitUntilExit()
        XCTAssertEqual(printer.terminationStatus, 0)
        let lines = csv.split(separator: "\r\n")
        XCTAssertTrue(lines.first?.hasPrefix("id,time,client,model,weights_sha256,image_name,image_sha256") == true, csv)
        XCTAssertEqual(lines.count, 1 + recorded.count, "`leukemia log` prints every record")
    }

    /// The file names of the predictions answered 200, appended from several threads.
    private final class AcknowledgedNames: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        var names: [String] { lock.withLock { list } }
        func append(_ name: String) { lock.withLock { list.append(name) } }
    }
}
