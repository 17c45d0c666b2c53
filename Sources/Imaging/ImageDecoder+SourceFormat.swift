import Foundation

extension ImageDecoder {
    /// The pixel layout stored in JPEG or PNG bytes, read from the header without decoding any
    /// pixels; `source` names the bytes in errors (usually the file path).
    ///
    /// Throws `ImageError` wherever `decode(data:source:)` rejects the header, with the same
    /// reason (empty file, unknown format, a side beyond `maximumSide`; corrupt data for a
    /// truncated or invalid header, though a PNG's message is the probe's own, not libpng's).
    /// Damage after the header is not detected: a file that probes fine may still fail to decode.
    public static func sourceFormat(of data: Data, source: String) throws -> ImageSourceFormat {
        switch try container(of: data, source: source) {
        case .jpeg: return try JPEGCodec.sourceFormat(data, source: source)
        case .png: return try PNGCodec.sourceFormat(data, source: source)
        }
    }

    /// The pixel layout stored in the JPEG or PNG file at `url` (see `sourceFormat(of:source:)`);
    /// errors name `url.path`. The whole file is read (a JPEG frame header may follow large
    /// metadata segments), but no pixel is decoded.
    public static func sourceFormat(fileAt url: URL) throws -> ImageSourceFormat {
        try sourceFormat(of: contents(of: url), source: url.path)
    }
}
