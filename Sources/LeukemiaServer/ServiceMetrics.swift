import Prometheus

/// The service's Prometheus metrics (`GET /metrics`): requests by route and status, request
/// latency, queue depth, batch sizes and images classified, all named `leukemia_...`.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Images waiting for the model.
    let queueDepth: Gauge
    /// Images per forward pass.
    let batchSize: ValueHistogram
    let imagesClassified: Counter
    private let latency: DurationHistogram
    private static let requests = name("http_requests", unit: "total", help: "HTTP requests by route and status")

    init() {
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", unit: "", help: "Images waiting for the model"))
        batchSize = registry.makeValueHistogram(descriptor: Self.name("batch_size", unit: "", help: "Images per forward pass"),
                                                buckets: [1, 2, 4, 8, 16, 32, 64])
        imagesClassified = registry.makeCounter(descriptor: Self.name("images_classified", unit: "total",
                                                                      help: "Images classified and answered"))
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", unit: "seconds", help: "Time from a request's arrival to its response"),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)])
    }

    /// Counts one answered request of `route` (the route pattern, or "NotFound") and records its duration.
    func record(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", "\(status)")]).increment()
        latency.record(duration)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "leukemia", metricName: metric, unitName: unit, helpText: help)
    }
}
