import Foundation

/// Why an image could not be read, written or built, and which file (or value) is at fault.
public struct ImageError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        /// The file has no bytes.
        case emptyFile
        /// The bytes are neither JPEG nor PNG (unknown format); `leadingBytes` are the first (up to 8).
        case unknownFormat(leadingBytes: [UInt8])
        /// The JPEG or PNG library rejected the data (corrupt or truncated), with its message.
        case corruptData(String)
        /// The file could not be read (missing, no permission...), with the system's message.
        case unreadableFile(String)
        /// The header announces a size beyond `ImageDecoder.maximumSide` (or a zero side).
        case unsupportedDimensions(width: Int, height: Int)
        /// A pixel buffer whose length does not match `width * height * channels`.
        case pixelCountMismatch(width: Int, height: Int, channels: Int, count: Int)
        /// Two images or masks that must have the same size do not.
        case sizeMismatch(expected: String, found: String)
        /// The encoder failed, with the library's message.
        case encodingFailed(String)
        /// A geometric transform that cannot be undone (singular linear part).
        case notInvertible
    }

    /// The file path, or a short name for the value at fault when there is no file.
    public let source: String
    /// What went wrong.
    public let reason: Reason

    /// An error about `source` (a file path or a short name of the value at fault).
    public init(source: String, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    /// One line naming the source and the reason.
    public var description: String {
        switch reason {
        case .emptyFile:
            return "\(source): empty file"
        case .unknownFormat(let bytes):
            let hex = bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
            return "\(source): not a JPEG or PNG file (starts with bytes \(hex))"
        case .corruptData(let message):
            return "\(source): corrupt or truncated image data: \(message)"
        case .unreadableFile(let message):
            return "\(source): cannot read file: \(message)"
        case .unsupportedDimensions(let width, let height):
            return "\(source): unsupported image size \(width)x\(height) "
                + "(each side must be 1...\(ImageDecoder.maximumSide))"
        case .pixelCountMismatch(let width, let height, let channels, let count):
            return "\(source): a \(width)x\(height) image with \(channels) channel(s) needs "
                + "\(max(width, 0) * max(height, 0) * channels) values, got \(count)"
        case .sizeMismatch(let expected, let found):
            return "\(source): size mismatch, expected \(expected), found \(found)"
        case .encodingFailed(let message):
            return "\(source): encoding failed: \(message)"
        case .notInvertible:
            return "\(source): not invertible (zero or non-finite determinant)"
        }
    }

    public var errorDescription: String? { description }
}
