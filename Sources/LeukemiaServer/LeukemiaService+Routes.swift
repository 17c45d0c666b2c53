import Foundation
import HTTPTypes
import Hummingbird

extension LeukemiaService {
    /// The answer of `POST /v1/models/{name}/predict`.
    struct PredictResponse: Codable {
        var model: String
        var predictions: [ImageResult]
    }

    /// The answer of `GET /v1/models`.
    struct ModelsResponse: Codable {
        var models: [ModelDescription]
    }

    /// The answer of `GET /v1/predictions`.
    struct PredictionsResponse: Codable {
        var predictions: [AuditRecord]
    }

    /// The answer of the probes.
    struct StatusResponse: Codable {
        var status: String
    }

    func makeRouter() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: ErrorMiddleware(metrics: metrics))
        router.add(middleware: AccessMiddleware(keys: keys))

        router.get("/") { _, _ in
            JSONResponse.bytes(Array(ServicePage.html.utf8), contentType: "text/html; charset=utf-8")
        }
        router.get("/healthz") { _, _ in JSONResponse.make(StatusResponse(status: "alive")) }
        router.get("/readyz") { [queue] _, _ in
            guard queue.isReady else { throw APIError(.serviceUnavailable, "not_ready", "the models are warming up", retryAfter: 1) }
            return JSONResponse.make(StatusResponse(status: "ready"))
        }
        router.get("/metrics") { [metrics] _, _ in
            JSONResponse.bytes(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in
            JSONResponse.bytes(Array(OpenAPIDocument.json.utf8), contentType: "application/json; charset=utf-8")
        }
        router.get("/v1/models") { [models] _, _ in
            JSONResponse.make(ModelsResponse(models: models.values.map(\.description).sorted { $0.name < $1.name }))
        }
        router.post("/v1/models/:name/predict") { [self] request, context in
            let model = try model(named: context.parameters.require("name"))
            let images = try await uploadedImages(of: request)
            guard case .predictions(let results) = try await queue.submit(.predict(images), model: model, client: context.client)
            else { throw APIError(.internalServerError, "internal_error", "a prediction came back as something else") }
            return JSONResponse.make(PredictResponse(model: model.name, predictions: results))
        }
        router.post("/v1/models/:name/explain") { [self] request, context in
            let model = try model(named: context.parameters.require("name"))
            try model.checkExplainable()
            let images = try await uploadedImages(of: request)
            guard images.count == 1 else {
                throw APIError(.badRequest, "one_image_only", "explain takes one image, got \(images.count)")
            }
            let view = request.uri.queryParameters.get("view") ?? "grad-cam"
            guard ["grad-cam", "purple-mask"].contains(view) else {
                throw APIError(.badRequest, "unknown_view", "view must be grad-cam or purple-mask, not '\(view)'")
            }
            let work: InferenceJob.Work = view == "purple-mask" ? .purpleMask(images[0])
                : .explain(images[0], className: request.uri.queryParameters.get("class"))
            guard case .overlay(let png, let explained, let probability) = try await queue.submit(work, model: model,
                                                                                                 client: context.client)
            else { throw APIError(.internalServerError, "internal_error", "an explanation came back as something else") }
            var response = JSONResponse.bytes(png, contentType: "image/png")
            if view == "grad-cam" {
                response.headers[HTTPField.Name("X-Explained-Class")!] = explained
                response.headers[HTTPField.Name("X-Probability")!] = String(format: "%.6f", probability)
            }
            return response
        }
        router.get("/v1/predictions") { [auditLog] request, _ in
            guard let auditLog else { throw APIError(.notFound, "no_audit_log", "this server keeps no audit log (--log-db)") }
            let since = try request.uri.queryParameters.get("since").map(AuditLog.normalizedTime)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 1000
            guard (1...100_000).contains(limit) else {
                throw APIError(.badRequest, "bad_limit", "limit must be 1...100000, got \(limit)")
            }
            return JSONResponse.make(PredictionsResponse(predictions: try auditLog.records(since: since, limit: limit)))
        }
        return router
    }
}
