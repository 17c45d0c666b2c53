import Prometheus

/// The service's Prometheus metrics (`GET /metrics`): requests by route and status, request
/// latency, queue depth, batch sizes and images classified.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Images waiting for the model.
    let queueDepth: Gauge
    /// Images per forward pass.
    let batchSize: ValueHistogram
    let imagesClassified: Counter
    private let latency: DurationHistogram

    init() {
        queueDepth = registry.makeGauge(name: "leukemia_queue_depth", help: "Images waiting for the model")
        batchSize = registry.makeValueHistogram(name: "leukemia_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64],
                                                help: "Images per forward pass")
        imagesClassified = registry.makeCounter(name: "leukemia_images_classified_total", help: "Images classified and answered")
        latency = registry.makeDurationHistogram(
            name: "leukemia_request_duration_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)],
            help: "Time from a request's arrival to its response")
    }

    /// Counts one answered request of `route` (the route pattern, or "NotFound") and records its duration.
    func record(route: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "leukemia_http_requests_total", labels: [("route", route), ("status", "\(status)")],
                             help: "HTTP requests by route and status").increment()
        latency.record(duration)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
