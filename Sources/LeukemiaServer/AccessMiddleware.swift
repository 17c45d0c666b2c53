import Hummingbird

/// Lets in only requests with `Authorization: Bearer KEY` of a known key (when the service has
/// keys), except the probes and the page itself (which holds no data and asks for a key).
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    /// Paths open without a key.
    static let openPaths: Set<String> = ["/", "/healthz", "/readyz"]

    let keys: APIKeys?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let keys, !Self.openPaths.contains(request.uri.path) else { return try await next(request, context) }
        guard let authorization = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing_key", "this route needs an API key: send `Authorization: Bearer KEY`")
        }
        let prefix = "Bearer "
        guard authorization.hasPrefix(prefix),
              let client = keys.client(presenting: String(authorization.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces))
        else {
            throw APIError(.unauthorized, "wrong_key", "the API key is not valid")
        }
        var context = context
        context.client = client
        return try await next(request, context)
    }
}
