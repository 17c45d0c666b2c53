import Foundation

/// The parts of a `multipart/form-data` body (RFC 7578): each part's field name, file name,
/// content type and bytes.
struct MultipartForm {
    struct Part {
        var name: String?
        var fileName: String?
        var contentType: String?
        var body: Data
    }

    let parts: [Part]

    /// The boundary parameter of a `multipart/form-data` content type, or nil.
    static func boundary(ofContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// Splits `body` at `boundary`.
    /// - Throws: `APIError` 400 for a body that is not such a form.
    init(body: Data, boundary: String) throws {
        let malformed = APIError(.badRequest, "malformed_multipart", "the multipart/form-data body does not follow its boundary")
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else { throw malformed }
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" ends the form, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { throw malformed }
            cursor += 2
            guard let headersEnd = body.range(of: headerEnd, in: cursor..<body.endIndex),
                  let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headersEnd.upperBound..<body.endIndex) else {
                throw malformed
            }
            let headers = String(decoding: body[cursor..<headersEnd.lowerBound], as: UTF8.self)
            var part = Part(body: body.subdata(in: headersEnd.upperBound..<next.lowerBound))
            for line in headers.components(separatedBy: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "content-type": part.contentType = pair[1]
                case "content-disposition":
                    part.name = Self.parameter("name", in: pair[1])
                    part.fileName = Self.parameter("filename", in: pair[1])
                default: break
                }
            }
            parts.append(part)
            cursor = next.upperBound
        }
        self.parts = parts
    }

    /// The value of `name="..."` in a Content-Disposition header.
    private static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
