import Foundation
import Imaging

/// The bounded queue between the HTTP handlers and the models, and the one thread that runs
/// them (a parked-and-reused thread, see `ReusedThreads`): dynamic batching off the event loop.
///
/// Requests wait here until the inference thread takes them. A prediction request that finds the
/// thread idle waits up to `batchDelay` for others to the same model, so that up to `maxBatch`
/// images go through one forward pass; under load the queue fills while the thread works and the
/// next batch starts at once. Beyond `maxQueue` waiting images a request is refused (503 with
/// `Retry-After`) rather than held. Each batch's predictions are written to the audit log, in one
/// transaction, before any of its requests is answered.
final class InferenceQueue: @unchecked Sendable {
    private let models: [ServedModel]
    private let maxBatch: Int
    private let maxQueue: Int
    private let batchDelay: Duration
    private let auditLog: AuditLog?
    private let metrics: ServiceMetrics
    private let condition = NSCondition()
    private var pending: [InferenceJob] = []
    private var queuedImages = 0
    private var closed = false
    private var warmed = false
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts the inference thread, which first warms each model up with one image.
    init(models: [ServedModel], maxBatch: Int, maxQueue: Int, batchDelay: Duration, auditLog: AuditLog?, metrics: ServiceMetrics) {
        self.models = models
        self.maxBatch = maxBatch
        self.maxQueue = maxQueue
        self.batchDelay = batchDelay
        self.auditLog = auditLog
        self.metrics = metrics
        ReusedThreads.shared.run(name: "leukemia.inference") { [self] in run() }
    }

    /// Whether every model has answered its warm-up image.
    var isReady: Bool { condition.withLock { warmed && !closed } }

    /// Queues `work` for `model` and waits for its answer.
    /// - Throws: `APIError` 503 when the queue is full or closing; what the work throws.
    func submit(_ work: InferenceJob.Work, model: ServedModel, client: String) async throws -> InferenceJob.Answer {
        let arrival = ContinuousClock.now
        return try await withCheckedThrowingContinuation { continuation in
            let job = InferenceJob(model: model, work: work, client: client, arrival: arrival, continuation: continuation)
            let refusal: APIError? = condition.withLock {
                if closed { return APIError(.serviceUnavailable, "shutting_down", "the server is shutting down", retryAfter: 5) }
                guard queuedImages + job.imageCount <= maxQueue else {
                    return APIError(.serviceUnavailable, "queue_full",
                                    "\(queuedImages) images are waiting for the model (at most \(maxQueue)); try again shortly",
                                    retryAfter: 1)
                }
                pending.append(job)
                queuedImages += job.imageCount
                metrics.queueDepth.set(Int64(queuedImages))
                condition.signal()
                return nil
            }
            if let refusal { job.finish(.failure(refusal)) }
        }
    }

    /// Refuses new work, finishes what is queued, and returns when the thread has stopped.
    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
        stopped.wait()
    }

    private func run() {
        warmUp()
        while let batch = nextBatch() {
            process(batch)
        }
        stopped.signal()
    }

    /// One prediction per model on a grey image, so that the first request does not pay for
    /// lazy allocations.
    private func warmUp() {
        let grey = try! RGBImage(width: 64, height: 64, pixels: [UInt8](repeating: 160, count: 64 * 64 * 3))
        let png = try! ImageEncoder.png(grey)
        for model in models {
            _ = try? model.predict([UploadedImage(name: "warm-up.png", bytes: png, part: "warm-up", maxPixels: .max)])
        }
        condition.withLock { warmed = true }
    }

    /// The next jobs to run together (several prediction requests to one model, up to `maxBatch`
    /// images; or one explanation), after the batching delay; nil once closed and drained.
    private func nextBatch() -> [InferenceJob]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty {
            if closed { return nil }
            condition.wait()
        }
        let first = pending[0]
        if first.isPrediction {
            while !closed, waitingImages(for: first.model) < maxBatch {
                let remaining = batchDelay - (ContinuousClock.now - first.arrival)
                guard remaining > .zero else { break }
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
        }
        var batch = [pending.removeFirst()]
        var count = first.imageCount
        if first.isPrediction {
            var index = 0
            while index < pending.count, count < maxBatch {
                let job = pending[index]
                if job.isPrediction, job.model === first.model, count + job.imageCount <= maxBatch {
                    batch.append(job)
                    count += job.imageCount
                    pending.remove(at: index)
                } else {
                    index += 1
                }
            }
        }
        queuedImages -= batch.reduce(0) { $0 + $1.imageCount }
        metrics.queueDepth.set(Int64(queuedImages))
        return batch
    }

    private func waitingImages(for model: ServedModel) -> Int {
        pending.reduce(0) { $0 + ($1.isPrediction && $1.model === model ? $1.imageCount : 0) }
    }

    private func process(_ batch: [InferenceJob]) {
        let model = batch[0].model
        switch batch[0].work {
        case .explain(let image, let className):
            batch[0].finish(Result { try model.explain(image, className: className) }.map {
                .overlay(png: $0.png, className: $0.className, probability: $0.probability)
            })
            return
        case .purpleMask(let image):
            batch[0].finish(Result { .overlay(png: try model.purpleMask(image), className: "", probability: 0) })
            return
        case .predict:
            break
        }
        let images = batch.flatMap(\.images)
        metrics.batchSize.record(Double(images.count))
        let results: [Result<ImageResult, APIError>]
        do {
            results = try model.predict(images)
        } catch {
            for job in batch { job.finish(.failure(error)) }
            return
        }
        var answered: [(job: InferenceJob, results: [ImageResult])] = []
        var offset = 0
        let now = ContinuousClock.now
        for job in batch {
            let own = results[offset..<offset + job.imageCount]
            offset += job.imageCount
            if case .failure(let error)? = own.first(where: { if case .failure = $0 { true } else { false } }) {
                job.finish(.failure(error))
                continue
            }
            let latency = (now - job.arrival) / .milliseconds(1)
            answered.append((job, own.map { result in
                var result = try! result.get()
                result.latencyMilliseconds = latency
                return result
            }))
        }
        do {
            try auditLog?.append(answered.flatMap { job, results in
                results.map { AuditRecord(result: $0, client: job.client, model: model.description) }
            })
        } catch {
            let failure = APIError(.internalServerError, "audit_log_failed", "the prediction could not be recorded: \(error)")
            for (job, _) in answered { job.finish(.failure(failure)) }
            return
        }
        for (job, results) in answered {
            metrics.imagesClassified.increment(by: Int64(results.count))
            job.finish(.success(.predictions(results)))
        }
    }
}
