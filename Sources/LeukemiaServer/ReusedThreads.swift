import Foundation

/// Threads that are parked instead of ended when their work is done, and reused.
///
/// The models run OpenMP code (oneDNN, XGBoost), and OpenMP keeps a team of worker threads for
/// each thread that starts parallel work, torn down when that thread ends. Ending inference
/// threads one after another (a process that starts and stops several services, as the tests
/// do) crashed intermittently inside that teardown (a worker freeing a bad pointer); threads that
/// never end keep their teams.
final class ReusedThreads: @unchecked Sendable {
    static let shared = ReusedThreads()

    private let condition = NSCondition()
    private var parked: [Worker] = []

    /// Runs `body` on a parked thread, or on a new one named `name` when none is parked.
    func run(name: String, _ body: @escaping () -> Void) {
        let worker = condition.withLock { parked.popLast() } ?? Worker(name: name)
        worker.start { [self] in
            body()
            condition.withLock { parked.append(worker) }
        }
    }

    /// One thread that runs one piece of work at a time, forever.
    private final class Worker: @unchecked Sendable {
        private let condition = NSCondition()
        private var work: (() -> Void)?

        init(name: String) {
            let thread = Thread { [self] in
                while true {
                    let next: () -> Void = condition.withLock {
                        while work == nil { condition.wait() }
                        defer { work = nil }
                        return work!
                    }
                    next()
                }
            }
            thread.name = name
            thread.start()
        }

        func start(_ body: @escaping () -> Void) {
            condition.withLock {
                work = body
                condition.signal()
            }
        }
    }
}
