/// Bounds-checked little-endian reads from a byte array; every read past `end` throws `.truncated`.
struct ByteCursor {
    let bytes: [UInt8]
    let source: String
    /// Offset of the next byte to read.
    var position: Int
    /// One past the last readable byte.
    let end: Int

    init(bytes: [UInt8], source: String, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.source = source
        self.end = min(end ?? bytes.count, bytes.count)
        self.position = min(max(0, start), self.end)  // a start past the end reads nothing
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    /// Reserves the next `count` bytes and returns their index range.
    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw WeightFileError.truncated(source: source, offset: position, needed: "\(what()) (\(count) bytes)")
        }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func byte(_ what: @autoclosure () -> String) throws -> UInt8 {
        bytes[try take(1, what()).lowerBound]
    }

    /// Reads an unsigned little-endian integer of `T`'s width.
    mutating func littleEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let range = try take(MemoryLayout<T>.size, what())
        return Self.littleEndian(T.self, in: bytes, at: range.lowerBound)
    }

    /// The unsigned little-endian integer of `T`'s width at `offset` (caller checked the bounds).
    static func littleEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, in bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size {
            value |= T(bytes[offset + index]) << (8 * index)
        }
        return value
    }

    /// Converts an unsigned 64-bit count read from the file to `Int`, or throws if it cannot be one.
    func count(_ value: UInt64, _ what: String, at offset: Int) throws -> Int {
        guard value <= UInt64(Int.max) else {
            throw WeightFileError.truncated(source: source, offset: offset, needed: "\(what) (\(value) bytes)")
        }
        return Int(value)
    }
}
