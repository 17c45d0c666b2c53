import Foundation

/// Builds small PNG files byte by byte (stored, uncompressed zlib blocks), independently of
/// libpng, so that decoder tests can use colour types the encoder never writes.
public enum PNGTestFile {
    public enum ColorType: UInt8 {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
    }

    /// A PNG of `width` x `height` whose rows are `samples` (bytes of `bitDepth`-bit samples,
    /// big-endian for 16 bits, no filter byte), with an optional palette (RGB triples) for `.palette`.
    public static func make(width: Int, height: Int, colorType: ColorType, samples: [UInt8],
                     bitDepth: UInt8 = 8, palette: [UInt8] = []) -> Data {
        let rowBytes = samples.count / height
        var raw: [UInt8] = []
        for row in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: samples[(row * rowBytes)..<((row + 1) * rowBytes)])
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [bitDepth, colorType.rawValue, 0, 0, 0]
        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        file += chunk("IHDR", header)
        if !palette.isEmpty { file += chunk("PLTE", palette) }
        file += chunk("IDAT", zlibStored(raw))
        file += chunk("IEND", [])
        return file
    }

    private static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count < 65_535, "test images must fit one stored block")
        let length = UInt16(bytes.count)
        var output: [UInt8] = [0x78, 0x01, 0x01]  // zlib header, final stored block
        output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        output += bytes
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return output + bigEndian(b << 16 | a)
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typed = Array(type.utf8) + body
        return Data(bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed)))
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
