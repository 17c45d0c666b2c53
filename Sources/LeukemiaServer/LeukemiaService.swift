import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// `leukemia serve`: the HTTP API and the page over one or more trained runs.
///
/// Routes (see `OpenAPIDocument` and the README's "Serving" section): `GET /` (the page),
/// `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.json`, `GET /v1/models`,
/// `POST /v1/models/{name}/predict`, `POST /v1/models/{name}/explain`, `GET /v1/predictions`.
public final class LeukemiaService: Sendable {
    public let configuration: ServerConfiguration
    let models: [String: ServedModel]
    let keys: APIKeys?
    let auditLog: AuditLog?
    let metrics = ServiceMetrics()
    let queue: InferenceQueue
    /// The service group of `run`, for `shutDown`.
    private let running = NIOLockedValueBox<ServiceGroup?>(nil)

    /// Opens the runs, the keys file and the audit log, and starts the inference thread (which
    /// warms the models up; `/readyz` answers 200 once it has).
    /// - Throws: `ServerSetupError` for an invalid configuration; `RunDirectoryError` for a run
    ///   that cannot be opened; what opening the audit log throws.
    public init(configuration: ServerConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        var models: [String: ServedModel] = [:]
        var order: [ServedModel] = []
        for run in configuration.runs {
            let model = try ServedModel(run: run, configuration: configuration)
            guard models[model.name] == nil else { throw ServerSetupError.duplicateModelName(model.name) }
            models[model.name] = model
            order.append(model)
        }
        self.models = models
        keys = try configuration.apiKeys.map(APIKeys.init(contentsOf:))
        auditLog = try configuration.logDatabase.map(AuditLog.init(url:))
        queue = InferenceQueue(models: order, maxBatch: configuration.maxBatch, maxQueue: configuration.maxQueue,
                               batchDelay: configuration.batchDelay, auditLog: auditLog, metrics: metrics)
    }

    /// Serves until SIGTERM or SIGINT (with `handlingSignals`) or `shutDown()`, then stops
    /// accepting, answers what is queued, and closes the audit log. `onListening` receives the
    /// bound port once the server accepts connections.
    public func run(handlingSignals: Bool = true, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var logger = Logger(label: "leukemia.serve")
        logger.logLevel = .notice
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "leukemia"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger))
        running.withLockedValue { $0 = group }
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { [queue] in
                queue.close()
                done.resume()
            }.start()
        }
        try auditLog?.close()
        try outcome.get()
    }

    /// Shuts the service down as SIGTERM does (`run` returns when it is done).
    public func shutDown() async {
        await running.withLockedValue { $0 }?.triggerGracefulShutdown()
    }

    /// The names of the served models, sorted.
    public var modelNames: [String] { models.keys.sorted() }

    /// The model served as `name`.
    /// - Throws: `APIError` 404 listing the served models.
    func model(named name: String) throws -> ServedModel {
        guard let model = models[name] else {
            throw APIError(.notFound, "unknown_model", "no model named '\(name)'; served: \(models.keys.sorted().joined(separator: ", "))")
        }
        return model
    }
}
