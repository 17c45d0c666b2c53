import CPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified API.
///
/// Decoding converts every PNG colour type to 8-bit RGB: grey is replicated, palettes are
/// expanded, 16-bit samples are reduced (taken as sRGB-encoded, like 8-bit ones, unless the file
/// says otherwise), and alpha is composited onto white. libpng composites
/// in linear light (sRGB decoded, blended, re-encoded), so half-transparent black on white gives
/// 188, not 128; fully opaque and fully transparent pixels are exact.
enum PNGCodec {
    private static let white = png_color(red: 255, green: 255, blue: 255)

    static func decode(_ data: Data, source: String) throws -> RGBImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        // libpng keeps a pointer into the bytes from begin to finish, so both happen in one scope.
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> RGBImage in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw ImageError(source: source, reason: .corruptData(message(of: &image)))
            }
            let width = Int(image.width), height = Int(image.height)
            try ImageDecoder.checkDimensions(width: width, height: height, source: source)
            image.format = png_uint_32(PNG_FORMAT_RGB)
            // Without this, libpng takes 16-bit samples lacking gamma information as linear light and
            // gamma-encodes them (0x8000 would become 186 instead of 128). Set before reading the
            // header, the flag has no effect (tested), so it is set here.
            image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            var background = white
            let finished = pixels.withUnsafeMutableBufferPointer { output in
                png_image_finish_read(&image, &background, output.baseAddress, png_int_32(width * 3), nil)
            }
            guard finished != 0 else {
                throw ImageError(source: source, reason: .corruptData(message(of: &image)))
            }
            return RGBImage(validatedWidth: width, height: height, pixels: pixels)
        }
    }

    /// The layout stored in a PNG, read from its IHDR chunk, which the format puts first, right
    /// after the 8-byte signature: length 13 (4 bytes), "IHDR", width and height (4 bytes each,
    /// big-endian), bit depth, colour type, compression, filter and interlace methods (1 byte
    /// each), CRC (4 bytes); 33 bytes in all. The caller has recognised the signature; the CRC
    /// is not checked (libpng checks it when decoding).
    static func sourceFormat(_ data: Data, source: String) throws -> ImageSourceFormat {
        let header = [UInt8](data.prefix(33))
        guard header.count == 33 else {
            throw ImageError(source: source, reason: .corruptData(
                "truncated PNG header: \(header.count) bytes, the signature and IHDR chunk take 33"))
        }
        func bigEndian(at offset: Int) -> Int {
            header[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        guard bigEndian(at: 8) == 13, header[12..<16].elementsEqual("IHDR".utf8) else {
            throw ImageError(source: source, reason: .corruptData("the first PNG chunk is not a 13-byte IHDR chunk"))
        }
        let width = bigEndian(at: 16), height = bigEndian(at: 20)
        let bitDepth = Int(header[24]), colorType = header[25]
        // The bit depths each colour type allows (PNG specification, table 11.1).
        let layouts: [UInt8: (channels: ImageSourceFormat.Channels, depths: Set<Int>)] = [
            0: (.grey, [1, 2, 4, 8, 16]), 2: (.rgb, [8, 16]), 3: (.palette, [1, 2, 4, 8]),
            4: (.greyAlpha, [8, 16]), 6: (.rgba, [8, 16]),
        ]
        guard let layout = layouts[colorType], layout.depths.contains(bitDepth) else {
            throw ImageError(source: source, reason: .corruptData(
                "invalid PNG colour type \(colorType) with bit depth \(bitDepth)"))
        }
        try ImageDecoder.checkDimensions(width: width, height: height, source: source)
        return ImageSourceFormat(container: .png, channels: layout.channels, bitsPerSample: bitDepth,
                                 width: width, height: height)
    }

    static func encode(_ rgb: RGBImage) throws -> Data {
        let source = "PNG encoder (\(rgb.width)x\(rgb.height) image)"
        guard rgb.width > 0, rgb.height > 0 else {
            throw ImageError(source: source, reason: .encodingFailed("an image needs at least one pixel"))
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(rgb.width)
        image.height = png_uint_32(rgb.height)
        image.format = png_uint_32(PNG_FORMAT_RGB)
        defer { png_image_free(&image) }
        let stride = png_int_32(rgb.width * 3)
        return try rgb.pixels.withUnsafeBufferPointer { input in
            var size: png_alloc_size_t = 0
            guard png_image_write_to_memory(&image, nil, &size, 0, input.baseAddress, stride, nil) != 0 else {
                throw ImageError(source: source, reason: .encodingFailed(message(of: &image)))
            }
            var output = Data(count: Int(size))
            let written = output.withUnsafeMutableBytes { raw in
                png_image_write_to_memory(&image, raw.baseAddress, &size, 0, input.baseAddress, stride, nil)
            }
            guard written != 0 else { throw ImageError(source: source, reason: .encodingFailed(message(of: &image))) }
            return output.prefix(Int(size))
        }
    }

    /// libpng's message, stored in the fixed-size `message` field of `png_image`.
    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "unknown libpng error" : text
        }
    }
}
