import Foundation

/// A read-only view of the STORED entries of a zip archive (PyTorch writes checkpoints uncompressed),
/// located through the central directory, with zip64 fields, and CRC-32 checked on access.
struct ZipArchive {
    /// One member of the archive.
    struct Entry {
        let name: String
        /// Where the member's bytes lie in the archive.
        let data: Range<Int>
        let crc32: UInt32
    }

    let source: String
    let bytes: [UInt8]
    /// Members by name, in central-directory order.
    private(set) var entries: [String: Entry] = [:]
    private(set) var names: [String] = []

    private static let endOfDirectorySignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let centralEntrySignature: UInt32 = 0x0201_4B50
    private static let localHeaderSignature: UInt32 = 0x0403_4B50

    /// Whether `bytes` start like a zip archive.
    static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && ByteCursor.littleEndian(UInt32.self, in: bytes, at: 0) == localHeaderSignature
    }

    init(bytes: [UInt8], source: String) throws {
        self.source = source
        self.bytes = bytes
        let directory = try Self.locateCentralDirectory(bytes, source: source)
        var cursor = ByteCursor(bytes: bytes, source: source, start: directory.offset)
        for _ in 0..<directory.entryCount {
            let entry = try readCentralEntry(&cursor)
            guard entries[entry.name] == nil else { throw bad(cursor.position, "member \(entry.name) appears twice") }
            entries[entry.name] = entry
            names.append(entry.name)
        }
    }

    /// The bytes of member `name` after checking its CRC-32, or nil if there is no such member.
    func contents(of name: String) throws -> Range<Int>? {
        guard let entry = entries[name] else { return nil }
        guard CRC32.checksum(bytes[entry.data]) == entry.crc32 else {
            throw bad(entry.data.lowerBound, "member \(name) fails its CRC-32 check (corrupt file)")
        }
        return entry.data
    }

    // MARK: - Parsing

    private static func locateCentralDirectory(_ bytes: [UInt8], source: String) throws -> (offset: Int, entryCount: Int) {
        let minimumRecord = 22
        guard bytes.count >= minimumRecord else {
            throw WeightFileError.truncated(source: source, offset: 0, needed: "zip end-of-central-directory record")
        }
        let lastStart = bytes.count - minimumRecord
        let firstStart = max(0, lastStart - 0xFFFF)  // the record may be followed by a comment of up to 64 KiB
        guard let recordStart = stride(from: lastStart, through: firstStart, by: -1).first(where: {
            ByteCursor.littleEndian(UInt32.self, in: bytes, at: $0) == endOfDirectorySignature
        }) else {
            throw WeightFileError.badZip(source: source, offset: bytes.count, reason: "no end-of-central-directory record (truncated?)")
        }
        var cursor = ByteCursor(bytes: bytes, source: source, start: recordStart + 10)
        let entryCount = try cursor.littleEndian(UInt16.self, "entry count")
        _ = try cursor.littleEndian(UInt32.self, "directory size")
        let offset = try cursor.littleEndian(UInt32.self, "directory offset")
        if entryCount != 0xFFFF, offset != 0xFFFF_FFFF {
            return (Int(offset), Int(entryCount))
        }
        // Zip64: the locator sits just before the classic record and points at the zip64 record.
        var locator = ByteCursor(bytes: bytes, source: source, start: max(0, recordStart - 20), end: recordStart)
        guard recordStart >= 20, try locator.littleEndian(UInt32.self, "zip64 locator") == zip64LocatorSignature else {
            throw WeightFileError.badZip(source: source, offset: recordStart, reason: "zip64 fields without a zip64 locator")
        }
        _ = try locator.littleEndian(UInt32.self, "zip64 disk")
        let recordOffset = try locator.count(try locator.littleEndian(UInt64.self, "zip64 record offset"), "zip64 record", at: locator.position)
        var record = ByteCursor(bytes: bytes, source: source, start: recordOffset)
        guard recordOffset < bytes.count, try record.littleEndian(UInt32.self, "zip64 record") == zip64EndSignature else {
            throw WeightFileError.badZip(source: source, offset: recordOffset, reason: "missing zip64 end-of-central-directory record")
        }
        _ = try record.take(28, "zip64 record fields")
        let count64 = try record.littleEndian(UInt64.self, "zip64 entry count")
        _ = try record.littleEndian(UInt64.self, "zip64 directory size")
        let offset64 = try record.littleEndian(UInt64.self, "zip64 directory offset")
        guard count64 <= UInt64(bytes.count), offset64 <= UInt64(bytes.count) else {
            throw WeightFileError.badZip(source: source, offset: recordOffset, reason: "zip64 directory lies past the end of the file")
        }
        return (Int(offset64), Int(count64))
    }

    private func readCentralEntry(_ cursor: inout ByteCursor) throws -> Entry {
        let start = cursor.position
        guard try cursor.littleEndian(UInt32.self, "central directory entry") == Self.centralEntrySignature else {
            throw bad(start, "expected a central directory entry")
        }
        _ = try cursor.take(4, "versions")
        let flags = try cursor.littleEndian(UInt16.self, "flags")
        let method = try cursor.littleEndian(UInt16.self, "compression method")
        _ = try cursor.take(4, "modification time")
        let crc = try cursor.littleEndian(UInt32.self, "CRC-32")
        var compressedSize = UInt64(try cursor.littleEndian(UInt32.self, "compressed size"))
        var size = UInt64(try cursor.littleEndian(UInt32.self, "size"))
        let nameLength = Int(try cursor.littleEndian(UInt16.self, "name length"))
        let extraLength = Int(try cursor.littleEndian(UInt16.self, "extra length"))
        let commentLength = Int(try cursor.littleEndian(UInt16.self, "comment length"))
        _ = try cursor.take(8, "attributes")
        var localOffset = UInt64(try cursor.littleEndian(UInt32.self, "local header offset"))
        let nameRange = try cursor.take(nameLength, "member name")
        let extra = try cursor.take(extraLength, "extra field")
        _ = try cursor.take(commentLength, "comment")
        guard let name = String(bytes: bytes[nameRange], encoding: .utf8) else { throw bad(start, "member name is not UTF-8") }
        guard flags & 1 == 0 else { throw bad(start, "member \(name) is encrypted") }
        guard method == 0 else {
            let kind = method == 8 ? "deflate-compressed" : "compressed with method \(method)"
            throw bad(start, "member \(name) is \(kind); only stored (uncompressed) members, as PyTorch writes them, are supported")
        }
        try applyZip64(extra, to: &size, &compressedSize, &localOffset)
        guard size == compressedSize else { throw bad(start, "stored member \(name) has differing sizes") }
        let data = try localData(at: localOffset, size: size, name: name)
        return Entry(name: name, data: data, crc32: crc)
    }

    /// Replaces saturated 32-bit fields with their zip64 extra-field values, in the order the spec gives.
    private func applyZip64(_ extra: Range<Int>, to size: inout UInt64, _ compressedSize: inout UInt64, _ localOffset: inout UInt64) throws {
        var cursor = ByteCursor(bytes: bytes, source: source, start: extra.lowerBound, end: extra.upperBound)
        while cursor.remaining >= 4 {
            let tag = try cursor.littleEndian(UInt16.self, "extra tag")
            let length = Int(try cursor.littleEndian(UInt16.self, "extra length"))
            let body = try cursor.take(length, "extra field body")
            guard tag == 0x0001 else { continue }
            var field = ByteCursor(bytes: bytes, source: source, start: body.lowerBound, end: body.upperBound)
            if size == 0xFFFF_FFFF { size = try field.littleEndian(UInt64.self, "zip64 size") }
            if compressedSize == 0xFFFF_FFFF { compressedSize = try field.littleEndian(UInt64.self, "zip64 compressed size") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.littleEndian(UInt64.self, "zip64 local header offset") }
        }
    }

    /// The data range of the member whose local header starts at `offset`.
    private func localData(at offset: UInt64, size: UInt64, name: String) throws -> Range<Int> {
        guard offset < UInt64(bytes.count) else { throw bad(bytes.count, "local header of \(name) lies past the end of the file") }
        var cursor = ByteCursor(bytes: bytes, source: source, start: Int(offset))
        guard try cursor.littleEndian(UInt32.self, "local header") == Self.localHeaderSignature else {
            throw bad(Int(offset), "expected the local header of \(name)")
        }
        _ = try cursor.take(22, "local header fields")
        let nameLength = Int(try cursor.littleEndian(UInt16.self, "local name length"))
        let extraLength = Int(try cursor.littleEndian(UInt16.self, "local extra length"))
        let localName = try cursor.take(nameLength, "local name")
        guard bytes[localName].elementsEqual(name.utf8) else { throw bad(Int(offset), "local header name differs from \(name)") }
        _ = try cursor.take(extraLength, "local extra field")
        let length = try cursor.count(size, "member \(name)", at: cursor.position)
        return try cursor.take(length, "data of member \(name)")
    }

    private func bad(_ offset: Int, _ reason: String) -> WeightFileError {
        .badZip(source: source, offset: offset, reason: reason)
    }
}
