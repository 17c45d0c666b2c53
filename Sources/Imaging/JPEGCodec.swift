import CTurboJPEG
import Foundation

/// JPEG decoding and encoding through the TurboJPEG C API.
///
/// Decoding is strict: TurboJPEG also reports *warnings* (for example "Premature end of JPEG
/// file" when the data is truncated, after which libjpeg pads the image with grey). Every
/// warning is treated as an error so that a damaged file never yields a silently altered image.
enum JPEGCodec {
    static func decode(_ data: Data, source: String) throws -> RGBImage {
        try withHeader(of: data, source: source) { handle, base, size, header in
            let (width, height) = (header.width, header.height)
            if channels(ofColorspace: header.colorspace) == .cmyk {
                return try decodeCMYK(handle, base, size, width: width, height: height, source: source)
            }
            var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
            let status = pixels.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, base, size, output.baseAddress, width, 0, height,
                              Int32(TJPF_RGB.rawValue), 0)
            }
            // A nonzero status is either TJERR_FATAL or a warning (corrupt/truncated data).
            guard status == 0 else { throw failure(handle, source: source) }
            return RGBImage(validatedWidth: Int(width), height: Int(height), pixels: pixels)
        }
    }

    /// The layout stored in a JPEG, from its header: always 8 bits per sample (TurboJPEG 2 reads
    /// no other precision; a 12-bit file fails in the header, as it does when decoded).
    static func sourceFormat(_ data: Data, source: String) throws -> ImageSourceFormat {
        try withHeader(of: data, source: source) { _, _, _, header in
            ImageSourceFormat(container: .jpeg, channels: channels(ofColorspace: header.colorspace),
                              bitsPerSample: 8, width: Int(header.width), height: Int(header.height))
        }
    }

    /// What TurboJPEG reads from the header before any pixel: the size and the colorspace
    /// (a `TJCS` value).
    private struct Header {
        var width: Int32, height: Int32, colorspace: Int32
    }

    /// Runs `body` with a TurboJPEG decompressor, the bytes of `data` (base address and count)
    /// and their header, once the header has been read and checked (a frame header present,
    /// each side within `ImageDecoder.maximumSide`); errors name `source`.
    private static func withHeader<Result>(of data: Data, source: String,
                                           _ body: (tjhandle, UnsafePointer<UInt8>, UInt, Header) throws -> Result)
        throws -> Result {
        guard let handle = tjInitDecompress() else {
            throw ImageError(source: source, reason: .corruptData("cannot create a TurboJPEG decompressor"))
        }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { throw ImageError(source: source, reason: .emptyFile) }
            let size = UInt(bytes.count)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, base, size, &width, &height, &subsampling, &colorspace) == 0 else {
                throw failure(handle, source: source)
            }
            // A stream that ends before its frame header leaves the size at 0 without an error.
            guard width > 0, height > 0 else {
                throw ImageError(source: source, reason: .corruptData("no frame header (no image size) found"))
            }
            try ImageDecoder.checkDimensions(width: Int(width), height: Int(height), source: source)
            return try body(handle, base, size, Header(width: width, height: height, colorspace: colorspace))
        }
    }

    /// The channels stored under TurboJPEG colorspace `colorspace`: YCbCr and RGB are `.rgb`,
    /// CMYK and YCCK `.cmyk`.
    private static func channels(ofColorspace colorspace: Int32) -> ImageSourceFormat.Channels {
        switch colorspace {
        case Int32(TJCS_GRAY.rawValue): return .grey
        case Int32(TJCS_CMYK.rawValue), Int32(TJCS_YCCK.rawValue): return .cmyk
        default: return .rgb
        }
    }

    /// A CMYK (or YCCK) JPEG, which TurboJPEG cannot convert to RGB itself: decoded to CMYK, then
    /// each pixel converted as R = C·K/255 (likewise G from M, B from Y). The values are taken in
    /// the inverted form that Adobe's applications write (255 = no ink), the form of nearly every
    /// CMYK JPEG; there is no colour management.
    private static func decodeCMYK(_ handle: tjhandle, _ base: UnsafePointer<UInt8>, _ size: UInt, width: Int32, height: Int32,
                                   source: String) throws -> RGBImage {
        let count = Int(width) * Int(height)
        var cmyk = [UInt8](repeating: 0, count: count * 4)
        let status = cmyk.withUnsafeMutableBufferPointer { output in
            tjDecompress2(handle, base, size, output.baseAddress, width, 0, height, Int32(TJPF_CMYK.rawValue), 0)
        }
        guard status == 0 else { throw failure(handle, source: source) }
        var pixels = [UInt8](repeating: 0, count: count * 3)
        for pixel in 0..<count {
            let k = UInt32(cmyk[pixel * 4 + 3])
            for channel in 0..<3 {
                pixels[pixel * 3 + channel] = UInt8((UInt32(cmyk[pixel * 4 + channel]) * k + 127) / 255)
            }
        }
        return RGBImage(validatedWidth: Int(width), height: Int(height), pixels: pixels)
    }

    static func encode(_ image: RGBImage, quality: Int) throws -> Data {
        let source = "JPEG encoder (\(image.width)x\(image.height) image)"
        guard image.width > 0, image.height > 0 else {
            throw ImageError(source: source, reason: .encodingFailed("an image needs at least one pixel"))
        }
        guard let handle = tjInitCompress() else {
            throw ImageError(source: source, reason: .encodingFailed("cannot create a TurboJPEG compressor"))
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputSize: UInt = 0
        defer { tjFree(output) }
        let status = image.pixels.withUnsafeBufferPointer { input in
            tjCompress2(handle, input.baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(TJPF_RGB.rawValue), &output, &outputSize,
                        Int32(TJSAMP_444.rawValue), Int32(quality), 0)
        }
        guard status == 0, let output else {
            throw ImageError(source: source, reason: .encodingFailed(message(handle)))
        }
        return Data(bytes: output, count: Int(outputSize))
    }

    private static func failure(_ handle: tjhandle, source: String) -> ImageError {
        let kind = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) ? "warning treated as error: " : ""
        return ImageError(source: source, reason: .corruptData(kind + message(handle)))
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }
}
