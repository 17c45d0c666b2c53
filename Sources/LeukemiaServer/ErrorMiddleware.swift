import Hummingbird

/// Answers every error as JSON `{error, detail}` (Hummingbird's own too: unknown routes, bodies
/// over the limit) and records each request's route, status and duration in the metrics.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.wrapping(error)
            if apiError.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path): \(error)")
            }
            response = try apiError.response(from: request, context: context)
        }
        metrics.record(route: context.endpointPath ?? "NotFound", status: response.status.code,
                       duration: ContinuousClock.now - start)
        return response
    }
}
