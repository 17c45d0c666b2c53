/// Writes a zip archive of STORED members. Fuzzing only: it wraps fuzzed pickles in archives whose
/// checksums are right, so that the zip checkpoint path gets past its CRC-32 checks.
enum StoredZipWriter {
    static func archive(_ members: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        var directory: [UInt8] = []
        for member in members {
            let name = Array(member.name.utf8)
            let crc = CRC32.checksum(member.bytes[...])
            let localOffset = output.count
            // Shared fields of the local header and the central entry: version, flags, method, time, date,
            // CRC-32, sizes, name length, extra length.
            var common: [UInt8] = []
            append(UInt16(20), to: &common)
            append(UInt16(0), to: &common)
            append(UInt16(0), to: &common)
            append(UInt32(0), to: &common)
            append(crc, to: &common)
            append(UInt32(member.bytes.count), to: &common)
            append(UInt32(member.bytes.count), to: &common)
            append(UInt16(name.count), to: &common)
            append(UInt16(0), to: &common)
            append(UInt32(0x0403_4B50), to: &output)
            output += common + name + member.bytes
            append(UInt32(0x0201_4B50), to: &directory)
            append(UInt16(20), to: &directory)
            directory += common
            append(UInt16(0), to: &directory)  // comment length
            append(UInt16(0), to: &directory)  // disk
            append(UInt16(0), to: &directory)  // internal attributes
            append(UInt32(0), to: &directory)  // external attributes
            append(UInt32(localOffset), to: &directory)
            directory += name
        }
        let directoryOffset = output.count
        output += directory
        append(UInt32(0x0605_4B50), to: &output)
        append(UInt32(0), to: &output)  // disk numbers
        append(UInt16(members.count), to: &output)
        append(UInt16(members.count), to: &output)
        append(UInt32(directory.count), to: &output)
        append(UInt32(directoryOffset), to: &output)
        append(UInt16(0), to: &output)  // comment length
        return output
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
