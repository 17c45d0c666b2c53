import Foundation

/// An image embedded in the page as a `data:` URI, so the report loads nothing from anywhere.
public struct DataURI: Sendable, Equatable {
    /// `data:<media type>;base64,<bytes>`.
    public let string: String

    /// `data` (the file's bytes) as `mediaType` ("image/png", "image/jpeg").
    public init(mediaType: String, data: Data) {
        string = "data:\(mediaType);base64,\(data.base64EncodedString())"
    }

    public static func png(_ data: Data) -> DataURI { DataURI(mediaType: "image/png", data: data) }
    public static func jpeg(_ data: Data) -> DataURI { DataURI(mediaType: "image/jpeg", data: data) }
}
