import Foundation

/// Makes items `0..<count` in order on a background thread, at most `ahead` items ahead of the
/// consumer, so that the consumer (a network) never waits for them unless making one takes longer
/// than consuming one. The training batch loader and the inference path's image decoding both
/// run on it. Freeing the prefetcher, or `cancel()`, stops the thread after the item it is making.
package final class Prefetcher<Item>: @unchecked Sendable {
    /// What the consumer and the worker thread share; the thread holds this, not the prefetcher,
    /// so that dropping the prefetcher early frees it and stops the thread.
    private final class State: @unchecked Sendable {
        let count: Int, ahead: Int
        let condition = NSCondition()
        var ready: [Int: Item] = [:]
        var nextToConsume = 0
        var cancelled = false

        init(count: Int, ahead: Int) {
            self.count = count
            self.ahead = ahead
        }
    }

    private let state: State

    /// Starts a thread named `threadName` that calls `make(0)`, `make(1)`, ... `make(count - 1)`.
    package init(count: Int, ahead: Int, threadName: String, make: @escaping (Int) -> Item) {
        let state = State(count: count, ahead: max(ahead, 1))
        self.state = state
        let worker = Thread {
            for index in 0..<count {
                state.condition.lock()
                while !state.cancelled && index - state.nextToConsume >= state.ahead { state.condition.wait() }
                let stop = state.cancelled
                state.condition.unlock()
                if stop { return }
                let item = make(index)
                state.condition.withLock {
                    state.ready[index] = item
                    state.condition.broadcast()
                }
            }
        }
        worker.name = threadName
        worker.start()
    }

    deinit { cancel() }

    /// The next item in order, waiting for the worker if needed; nil after the last one.
    package func next() -> Item? {
        state.condition.lock()
        defer { state.condition.unlock() }
        guard state.nextToConsume < state.count, !state.cancelled else { return nil }
        while state.ready[state.nextToConsume] == nil { state.condition.wait() }
        let item = state.ready.removeValue(forKey: state.nextToConsume)
        state.nextToConsume += 1
        state.condition.broadcast()
        return item
    }

    /// Stops the worker after the item it is making and drops the items made ahead.
    package func cancel() {
        state.condition.withLock {
            state.cancelled = true
            state.ready.removeAll()
            state.condition.broadcast()
        }
    }
}
