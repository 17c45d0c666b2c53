import CZlib
import Foundation
import ToolkitSupport

extension ZipArchive {
    /// The uncompressed bytes of member `name` (stored or deflate), CRC-32 checked; nil if absent.
    /// Inflation stops at the member's declared size, so a member cannot expand without bound.
    func extract(_ name: String) throws -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        let output = entry.isDeflated ? try inflate(entry) : Array(bytes[entry.data])
        guard CRC32.checksum(output[...]) == entry.crc32 else {
            throw WeightFileError.badZip(source: source, offset: entry.data.lowerBound,
                                         reason: "member \(name) fails its CRC-32 check (corrupt file)")
        }
        return output
    }

    private func inflate(_ entry: Entry) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: entry.uncompressedSize)
        var stream = z_stream()
        // Raw deflate data (no zlib header), as zip stores it: negative window bits.
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw WeightFileError.badZip(source: source, offset: entry.data.lowerBound, reason: "cannot start inflating \(entry.name)")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + entry.data.lowerBound)
                stream.avail_in = uInt(entry.data.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == entry.uncompressedSize else {
            let reason = status == Z_STREAM_END
                ? "inflates to \(stream.total_out) bytes, not the declared \(entry.uncompressedSize)"
                : "does not inflate within its declared \(entry.uncompressedSize) bytes (zlib status \(status))"
            throw WeightFileError.badZip(source: source, offset: entry.data.lowerBound, reason: "member \(entry.name) \(reason)")
        }
        return output
    }
}

/// Reads single members out of zip archives such as Python wheels.
public enum ZipMembers {
    /// The names of the members of the archive at `url`, in directory order.
    public static func names(inArchiveAt url: URL) throws -> [String] {
        try archive(at: url).names
    }

    /// The uncompressed bytes of `member` of the archive at `url`.
    public static func extract(_ member: String, fromArchiveAt url: URL) throws -> Data {
        let zip = try archive(at: url)
        guard let bytes = try zip.extract(member) else {
            throw WeightFileError.badZip(source: url.path, offset: 0, reason: "no member \(member)")
        }
        return Data(bytes)
    }

    private static func archive(at url: URL) throws -> ZipArchive {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightFileError.unreadable(source: url.path, reason: FileReadFailure.reason(url, error))
        }
        let bytes = [UInt8](data)
        guard ZipArchive.hasSignature(bytes) else {
            throw WeightFileError.badZip(source: url.path, offset: 0, reason: "not a zip archive")
        }
        return try ZipArchive(bytes: bytes, source: url.path)
    }
}
