import Foundation
import HTTPTypes
import Hummingbird

/// An error answered to a client as JSON `{"error": "...", "detail": "..."}` with its status:
/// `error` is a short stable code, `detail` a sentence for a person.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var error: String
    public var detail: String
    /// Seconds after which the client may try again (503 only).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ error: String, _ detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.error = error
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(error): \(detail)" }

    /// The JSON body.
    struct Body: Codable {
        var error: String
        var detail: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(Body(error: error, detail: detail), status: status)
        if let retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
        return response
    }

    /// The API's form of an error thrown by Hummingbird itself (an unknown route, a body beyond
    /// the upload limit) or by anything else (a 500 that names no internals).
    static func wrapping(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as HTTPError:
            let detail: String
            switch error.status {
            case .notFound: detail = "no such route; see /openapi.json"
            case .contentTooLarge: detail = "the request body is over the upload limit"
            default: detail = error.body ?? error.status.reasonPhrase
            }
            return APIError(error.status, code(of: error.status), detail)
        default:
            return APIError(.internalServerError, "internal_error", "the server failed to answer: \(error)")
        }
    }

    /// The `error` code for a status without a more specific one.
    static func code(of status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
    }
}
