import Foundation

/// Reads JPEG and PNG files into `RGBImage`s; the format is recognised by its magic bytes,
/// never by the file name.
public enum ImageDecoder {
    /// The largest width or height accepted, checked before any pixel memory is allocated.
    public static let maximumSide = 20_000

    /// Decodes the JPEG or PNG file at `url`.
    public static func decode(fileAt url: URL) throws -> RGBImage {
        try decode(data: contents(of: url), source: url.path)
    }

    /// Decodes JPEG or PNG bytes; `source` names them in errors (usually the file path).
    public static func decode(data: Data, source: String) throws -> RGBImage {
        switch try container(of: data, source: source) {
        case .jpeg: return try JPEGCodec.decode(data, source: source)
        case .png: return try PNGCodec.decode(data, source: source)
        }
    }

    /// The bytes of the file at `url`; throws `ImageError` (unreadable file) naming `url.path`.
    static func contents(of url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ImageError(source: url.path, reason: .unreadableFile(error.localizedDescription))
        }
    }

    /// The format of `data` by its magic bytes; throws `ImageError` (empty file, unknown format) naming `source`.
    static func container(of data: Data, source: String) throws -> ImageSourceFormat.Container {
        guard !data.isEmpty else { throw ImageError(source: source, reason: .emptyFile) }
        guard let container = ImageSourceFormat.Container(magicBytesOf: data) else {
            throw ImageError(source: source, reason: .unknownFormat(leadingBytes: Array(data.prefix(8))))
        }
        return container
    }

    /// Throws unless `width` x `height` is a size worth allocating.
    static func checkDimensions(width: Int, height: Int, source: String) throws {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw ImageError(source: source, reason: .unsupportedDimensions(width: width, height: height))
        }
    }
}

extension ImageSourceFormat.Container {
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
