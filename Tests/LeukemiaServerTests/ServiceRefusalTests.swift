import Foundation
import Imaging
import LeukemiaServer
import TestSupport
import XCTest

/// Bad requests get the documented status and a JSON `{error, detail}`, never a 500, and the
/// service stays alive after each.
final class ServiceRefusalTests: XCTestCase {
    private func assertRefused(_ answer: LoopbackHTTPClient.Answer, status: Int, error: String, mentioning words: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(answer.status, status, answer.text, file: file, line: line)
        let body = try? answer.json()
        XCTAssertEqual(body?["error"] as? String, error, answer.text, file: file, line: line)
        XCTAssertNotNil(body?["detail"] as? String, file: file, line: line)
        if let words { XCTAssertTrue(answer.text.contains(words), "\(answer.text) does not mention \(words)", file: file, line: line) }
    }

    func testBadInputIsRefusedWithItsStatusAndTheServiceStaysUp() throws {
        let runs = try ServedRuns.shared()
        let server = try RunningService(runs: [runs.cnn]) { $0.logDatabase = nil }
        defer { server.stop() }
        let predict = "/v1/models/tiny-densenet/predict"
        let jpeg = runs.images[0].jpeg

        let truncated = try server.send("POST", predict, headers: ["Content-Type": "image/jpeg", "X-File-Name": "cut.jpg"],
                                        body: jpeg.prefix(jpeg.count / 2))
        assertRefused(truncated, status: 400, error: "undecodable_image", mentioning: "cut.jpg")
        server.assertAlive(after: "a truncated JPEG")

        let form = LoopbackHTTPClient.multipart([("good.jpg", "image/jpeg", jpeg), ("bad.jpg", "image/jpeg", jpeg.prefix(300))])
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": form.contentType], body: form.body),
                      status: 400, error: "undecodable_image", mentioning: "bad.jpg")
        server.assertAlive(after: "a form with a truncated part")

        let text = try server.send("POST", predict, headers: ["Content-Type": "image/png"], body: Data("just some notes\n".utf8))
        assertRefused(text, status: 415, error: "unsupported_media_type", mentioning: "neither a JPEG nor a PNG")
        server.assertAlive(after: "a text file sent as image/png")

        assertRefused(try server.send("POST", predict, headers: ["Content-Type": "text/plain"], body: jpeg),
                      status: 415, error: "unsupported_media_type")
        server.assertAlive(after: "a text/plain body")

        let huge = try server.send("POST", predict, headers: ["Content-Type": "image/jpeg"], body: Data(count: 50 << 20))
        assertRefused(huge, status: 413, error: "body_too_large")
        server.assertAlive(after: "a 50 MB body")

        var png = try ImageEncoder.png(try RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 200, count: 192)))
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0] as [UInt8])  // IHDR: 100000 x 100000
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": "image/png"], body: png),
                      status: 413, error: "image_too_large", mentioning: "100000 x 100000")
        server.assertAlive(after: "a PNG header declaring 100000 x 100000 pixels")

        png.replaceSubrange(16..<24, with: [0, 0, 0x1B, 0x58, 0, 0, 0x1B, 0x58] as [UInt8])  // 7000 x 7000: 49 M pixels
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": "image/png"], body: png),
                      status: 413, error: "image_too_large", mentioning: "over the limit of 40000000")
        server.assertAlive(after: "a PNG over the pixel limit")

        assertRefused(try server.send("POST", "/v1/models/nonesuch/predict", headers: ["Content-Type": "image/jpeg"], body: jpeg),
                      status: 404, error: "unknown_model", mentioning: "tiny-densenet")
        assertRefused(try server.send("GET", "/v2/nothing"), status: 404, error: "not_found")
        server.assertAlive(after: "an unknown model")
    }

    func testKeysAreRequiredExceptForTheProbesAndNamedInTheLog() throws {
        let runs = try ServedRuns.shared()
        let folder = try TemporaryFolder(self).url
        let keysFile = folder.appendingPathComponent("keys.txt")
        let key = try APIKeys.add(client: "lab-7", to: keysFile)
        _ = try APIKeys.add(client: "other", to: keysFile)
        XCTAssertFalse(try String(contentsOf: keysFile, encoding: .utf8).contains(key), "only the key's hash is stored")
        XCTAssertThrowsError(try APIKeys.add(client: "lab-7", to: keysFile), "one key per client name")

        let server = try RunningService(runs: [runs.cnn]) {
            $0.apiKeys = keysFile
            $0.logDatabase = folder.appendingPathComponent("audit.sqlite")
        }
        defer { server.stop() }
        let predict = "/v1/models/tiny-densenet/predict"
        let jpeg = runs.images[2].jpeg
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": "image/jpeg"], body: jpeg),
                      status: 401, error: "missing_key")
        server.assertAlive(after: "a request without a key")
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": "image/jpeg", "Authorization": "Bearer lk_0000"],
                                      body: jpeg), status: 401, error: "wrong_key")
        assertRefused(try server.send("GET", "/v1/models", headers: ["Authorization": "Bearer \(key)x"]), status: 401, error: "wrong_key")
        server.assertAlive(after: "a wrong key")
        XCTAssertEqual(try server.send("GET", "/readyz").status, 200)
        XCTAssertEqual(try server.send("GET", "/").status, 200, "the page itself holds no data")

        let granted = try server.send("POST", predict, headers: ["Content-Type": "image/jpeg", "Authorization": "Bearer \(key)"], body: jpeg)
        XCTAssertEqual(granted.status, 200, granted.text)
        let log = try server.send("GET", "/v1/predictions", headers: ["Authorization": "Bearer \(key)"])
        XCTAssertEqual((try log.json()["predictions"] as? [[String: Any]])?.map { $0["client"] as? String }, ["lab-7"])
    }

    func testAFullQueueIsAnswered503WithRetryAfter() throws {
        let runs = try ServedRuns.shared()
        // One image fills the queue, and the batching delay holds it there for a second.
        let server = try RunningService(runs: [runs.cnn]) {
            $0.maxQueue = 1
            $0.batchDelay = .seconds(1)
            $0.logDatabase = nil
        }
        defer { server.stop() }
        let predict = "/v1/models/tiny-densenet/predict"
        let jpeg = runs.images[3].jpeg
        let first = LockedAnswer()
        let waiting = Thread {
            first.value = try? server.send("POST", predict, headers: ["Content-Type": "image/jpeg"], body: jpeg)
        }
        waiting.start()
        Thread.sleep(forTimeInterval: 0.3)
        let refused = try server.send("POST", predict, headers: ["Content-Type": "image/jpeg"], body: jpeg)
        assertRefused(refused, status: 503, error: "queue_full")
        XCTAssertEqual(refused.headers["retry-after"], "1")
        server.assertAlive(after: "a full queue")
        let form = LoopbackHTTPClient.multipart([("a.jpg", "image/jpeg", jpeg), ("b.jpg", "image/jpeg", jpeg)])
        assertRefused(try server.send("POST", predict, headers: ["Content-Type": form.contentType], body: form.body),
                      status: 413, error: "too_many_images")
        let deadline = Date() + 30
        while first.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(first.value?.status, 200, "the queued request is answered")
    }

    func testServingBeyondLoopbackNeedsKeys() throws {
        var configuration = ServerConfiguration(runs: [URL(fileURLWithPath: "/nonexistent")])
        configuration.host = "0.0.0.0"
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(error as? ServerSetupError, .insecureBind("0.0.0.0"))
        }
        configuration.insecure = true
        XCTAssertNoThrow(try configuration.validate())
    }

    private final class LockedAnswer: @unchecked Sendable {
        private let lock = NSLock()
        private var answer: LoopbackHTTPClient.Answer?
        var value: LoopbackHTTPClient.Answer? {
            get { lock.withLock { answer } }
            set { lock.withLock { answer = newValue } }
        }
    }
}
