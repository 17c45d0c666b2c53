import Foundation
import Imaging
import ToolkitSupport

/// One image of a request, checked from its header and ready for the model.
struct UploadedImage: Sendable {
    /// The file name the client gave (or "image" plus its position).
    var name: String
    var bytes: Data
    var sha256: String
    var format: ImageSourceFormat

    /// Checks `bytes` from the header alone (no pixel is decoded): a JPEG or PNG of at most
    /// `maxPixels` pixels; `part` names it in errors ("image", "part 2 (b.png)").
    /// - Throws: `APIError` 415 for bytes that are neither JPEG nor PNG, 413 for an image over the
    ///   pixel limit, 400 for an empty or damaged header.
    init(name: String, bytes: Data, part: String, maxPixels: Int) throws {
        let format: ImageSourceFormat
        do {
            format = try ImageDecoder.sourceFormat(of: bytes, source: part)
        } catch let error as ImageError {
            switch error.reason {
            case .unknownFormat:
                throw APIError(.unsupportedMediaType, "unsupported_media_type", "\(part) is neither a JPEG nor a PNG image")
            case .unsupportedDimensions(let width, let height) where width > 0 && height > 0:
                throw APIError(.contentTooLarge, "image_too_large",
                               "\(part) declares \(width) x \(height) pixels, over the limit of \(ImageDecoder.maximumSide) per side")
            default:
                throw APIError(.badRequest, "undecodable_image", "cannot decode \(error)")
            }
        }
        let (pixels, overflow) = format.width.multipliedReportingOverflow(by: format.height)
        guard !overflow, pixels <= maxPixels else {
            throw APIError(.contentTooLarge, "image_too_large",
                           "\(part) declares \(format.width) x \(format.height) pixels, over the limit of \(maxPixels)")
        }
        self.name = name
        self.bytes = bytes
        self.format = format
        sha256 = SHA256.hash(bytes).hexString
    }
}
