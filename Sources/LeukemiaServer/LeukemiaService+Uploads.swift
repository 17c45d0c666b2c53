import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension LeukemiaService {
    /// The media types accepted for an image (as a raw body, or as a multipart part's type).
    static let imageTypes: Set<String> = ["image/jpeg", "image/png"]

    /// The images of a request: the raw body (`image/jpeg`, `image/png`; its name from the
    /// `X-File-Name` header) or each file part of a `multipart/form-data` body, each checked from
    /// its header (format, pixel limit) before anything is decoded.
    /// - Throws: `APIError` 413 for a body or image over the limits (the body is refused from its
    ///   `Content-Length` when it declares one), 415 for another media type, 400 for a
    ///   malformed form, no image, or a damaged header.
    func uploadedImages(of request: Request) async throws -> [UploadedImage] {
        let limit = configuration.maxUploadBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw bodyTooLarge(length)
        }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard Self.imageTypes.contains(mediaType) || mediaType == "multipart/form-data" else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "send image/jpeg, image/png or multipart/form-data, not '\(contentType.isEmpty ? "no content type" : contentType)'")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw bodyTooLarge(nil)
        } catch is NIOTooManyBytesError {
            throw bodyTooLarge(nil)
        }
        let body = Data(buffer.readableBytesView)
        let images: [UploadedImage]
        if mediaType == "multipart/form-data" {
            guard let boundary = MultipartForm.boundary(ofContentType: contentType) else {
                throw APIError(.badRequest, "malformed_multipart", "the multipart/form-data content type has no boundary")
            }
            let files = try MultipartForm(body: body, boundary: boundary).parts.filter { $0.fileName != nil }
            images = try files.enumerated().map { index, part in
                let name = part.fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "image-\(index + 1)"
                let label = "part \(index + 1) (\(name))"
                if let type = part.contentType?.lowercased(), !Self.imageTypes.contains(type), type != "application/octet-stream" {
                    throw APIError(.unsupportedMediaType, "unsupported_media_type", "\(label) is \(type), not image/jpeg or image/png")
                }
                return try UploadedImage(name: name, bytes: part.body, part: label, maxPixels: configuration.maxPixels)
            }
        } else {
            let name = request.headers[HTTPField.Name("X-File-Name")!] ?? "image"
            images = [try UploadedImage(name: name, bytes: body, part: "the image (\(name))", maxPixels: configuration.maxPixels)]
        }
        guard !images.isEmpty else { throw APIError(.badRequest, "no_image", "the form holds no file part") }
        guard images.count <= configuration.maxQueue else {
            throw APIError(.contentTooLarge, "too_many_images",
                           "\(images.count) images in one request; the queue holds at most \(configuration.maxQueue)")
        }
        return images
    }

    private func bodyTooLarge(_ length: Int?) -> APIError {
        let megabytes = configuration.maxUploadBytes >> 20
        return APIError(.contentTooLarge, "body_too_large",
                        "the request body\(length.map { " (\($0) bytes)" } ?? "") is over the limit of \(megabytes) MB (--max-upload-mb)")
    }
}
