import Foundation

/// A one-line account of why JSON decoding failed: the key or index path and what was wrong.
package func decodingFailureSummary(_ error: Error) -> String {
    func location(_ path: [CodingKey]) -> String {
        path.isEmpty ? "top level"
            : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case let DecodingError.keyNotFound(key, context):
        return "missing key \(key.stringValue) at \(location(context.codingPath))"
    case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
        return "wrong type at \(location(context.codingPath)): \(context.debugDescription)"
    case let DecodingError.dataCorrupted(context):
        return context.codingPath.isEmpty ? "not valid JSON"
            : "invalid value at \(location(context.codingPath)): \(context.debugDescription)"
    default:
        return error.localizedDescription
    }
}
