import Foundation

/// Reads JPEG and PNG files into `RGBImage`s; the format is recognised by its magic bytes,
/// never by the file name.
public enum ImageDecoder {
    /// The largest width or height accepted, checked before any pixel memory is allocated.
    public static let maximumSide = 20_000

    /// Decodes the JPEG or PNG file at `url`.
    public static func decode(fileAt url: URL) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(source: url.path, reason: .unreadableFile(error.localizedDescription))
        }
        return try decode(data: data, source: url.path)
    }

    /// Decodes JPEG or PNG bytes; `source` names them in errors (usually the file path).
    public static func decode(data: Data, source: String) throws -> RGBImage {
        guard !data.isEmpty else { throw ImageError(source: source, reason: .emptyFile) }
        switch ImageFormat(magicBytesOf: data) {
        case .jpeg: return try JPEGCodec.decode(data, source: source)
        case .png: return try PNGCodec.decode(data, source: source)
        case nil:
            throw ImageError(source: source, reason: .unknownFormat(leadingBytes: Array(data.prefix(8))))
        }
    }

    /// Throws unless `width` x `height` is a size worth allocating.
    static func checkDimensions(width: Int, height: Int, source: String) throws {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw ImageError(source: source, reason: .unsupportedDimensions(width: width, height: height))
        }
    }
}

/// The encoded formats the decoder understands.
enum ImageFormat {
    case jpeg, png

    private static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The format whose signature starts `data`, or nil.
    init?(magicBytesOf data: Data) {
        if data.starts(with: Self.jpegSignature) {
            self = .jpeg
        } else if data.starts(with: Self.pngSignature) {
            self = .png
        } else {
            return nil
        }
    }
}
