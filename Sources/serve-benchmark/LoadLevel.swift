import Foundation
import TestSupport

/// One load level: `clients` closed-loop clients, each sending one image per request and the next
/// request when the answer came (after a 503, after its Retry-After), until `requests` requests
/// were sent or `seconds` passed.
struct LoadLevel {
    let clients: Int
    let requests: Int
    let seconds: Double

    struct Outcome {
        var clients: Int
        var wallSeconds: Double
        /// Latencies (s) of the requests answered 200.
        var latencies: [Double]
        var statuses: [Int: Int]
        /// Requests that got no HTTP answer (reset, timeout).
        var failures: [String]

        var answered: Int { latencies.count }
        var imagesPerSecond: Double { Double(answered) / wallSeconds }

        /// The latency at quantile `q` (nearest rank), in milliseconds.
        func percentile(_ q: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return 1000 * sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }

        /// Whether every request got 200 or 503.
        var onlyOKOrShed: Bool { failures.isEmpty && statuses.keys.allSatisfy { $0 == 200 || $0 == 503 } }
    }

    func run(port: Int, path: String, image: Data) -> Outcome {
        let tally = Tally(requests: requests, clients: clients)
        let start = Date(), deadline = start + seconds
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while Date() < deadline, tally.takeRequest() {
                    let sent = Date()
                    do {
                        let answer = try LoopbackHTTPClient.send("POST", port: port, path: path,
                                                                 headers: ["Content-Type": "image/jpeg"], body: image, timeout: 60)
                        tally.record(status: answer.status, latency: Date().timeIntervalSince(sent))
                        if answer.status == 503 {
                            let wait = Double(answer.headers["retry-after"] ?? "1") ?? 1
                            Thread.sleep(forTimeInterval: min(wait, max(0, deadline.timeIntervalSinceNow)))
                        }
                    } catch {
                        tally.fail("\(error)")
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return tally.outcome(wallSeconds: Date().timeIntervalSince(start))
    }

    /// What the clients of one level share: the requests left and the answers so far.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var remaining: Int
        private var state: Outcome

        init(requests: Int, clients: Int) {
            remaining = requests
            state = Outcome(clients: clients, wallSeconds: 0, latencies: [], statuses: [:], failures: [])
        }

        /// Whether a request may still be sent (and counts it).
        func takeRequest() -> Bool {
            lock.withLock {
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
        }

        func record(status: Int, latency: Double) {
            lock.withLock {
                state.statuses[status, default: 0] += 1
                if status == 200 { state.latencies.append(latency) }
            }
        }

        func fail(_ reason: String) {
            lock.withLock { state.failures.append(reason) }
        }

        func outcome(wallSeconds: Double) -> Outcome {
            lock.withLock {
                var outcome = state
                outcome.wallSeconds = wallSeconds
                return outcome
            }
        }
    }
}
