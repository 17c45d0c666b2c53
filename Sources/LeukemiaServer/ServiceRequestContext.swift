import Hummingbird

/// The request context of the service's routes: who is asking (set by `AccessMiddleware`).
struct ServiceRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The API key's client name, or "anonymous" when the service runs without keys.
    var client = "anonymous"

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
