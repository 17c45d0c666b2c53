import CTurboJPEG
import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class ImageCodecTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryFolder(self).url
    }

    private func write(_ data: Data, to name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// The decoding error for `url`, failing the test if decoding succeeds.
    private func decodingError(_ url: URL, file: StaticString = #filePath, line: UInt = #line) -> ImageError? {
        do {
            _ = try ImageDecoder.decode(fileAt: url)
            XCTFail("decoding \(url.lastPathComponent) should fail", file: file, line: line)
            return nil
        } catch let error as ImageError {
            XCTAssertEqual(error.source, url.path, file: file, line: line)
            XCTAssertTrue(error.description.contains(url.path), file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
            return nil
        }
    }

    func testPNGRoundTripIsExact() throws {
        let image = TestImages.gradient(width: 37, height: 23)
        let url = try write(try ImageEncoder.png(image), to: "round.png")
        XCTAssertEqual(try ImageDecoder.decode(fileAt: url), image)
    }

    func testJPEGRoundTripIsClose() throws {
        let image = TestImages.gradient(width: 64, height: 48)
        let decoded = try ImageDecoder.decode(data: try ImageEncoder.jpeg(image, quality: 95), source: "memory")
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.height, 48)
        let differences = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(differences.max() ?? 0, 12)
        XCTAssertLessThan(Double(differences.reduce(0, +)) / Double(differences.count), 2)
    }

    func testFormatIsDetectedByMagicBytesNotExtension() throws {
        let image = TestImages.gradient(width: 8, height: 8)
        let pngNamedJPEG = try write(try ImageEncoder.png(image), to: "actually-png.jpg")
        XCTAssertEqual(try ImageDecoder.decode(fileAt: pngNamedJPEG), image)
        let jpegNamedPNG = try write(try ImageEncoder.jpeg(image, quality: 90), to: "actually-jpeg.png")
        XCTAssertEqual(try ImageDecoder.decode(fileAt: jpegNamedPNG).width, 8)
    }

    func testCMYKJPEGIsConvertedToRGBNotCalledCorrupt() throws {
        // Four colour blocks in Adobe's inverted CMYK (255 = no ink), written with TurboJPEG
        // directly: red (full magenta and yellow), green, blue, and mid grey from black ink alone.
        let blocks: [(cmyk: [UInt8], rgb: [Int])] = [
            ([255, 0, 0, 255], [255, 0, 0]), ([0, 255, 0, 255], [0, 255, 0]),
            ([0, 0, 255, 255], [0, 0, 255]), ([255, 255, 255, 128], [128, 128, 128]),
        ]
        let side = 16, width = side * blocks.count
        var cmyk = [UInt8](repeating: 0, count: width * side * 4)
        for y in 0..<side {
            for x in 0..<width { cmyk.replaceSubrange((y * width + x) * 4..<(y * width + x + 1) * 4, with: blocks[x / side].cmyk) }
        }
        let jpeg = try JPEGTestFile.make(cmyk, width: width, height: side, format: TJPF_CMYK, subsampling: TJSAMP_444)
        let decoded = try ImageDecoder.decode(data: jpeg, source: "cmyk.jpg")
        XCTAssertEqual([decoded.width, decoded.height], [width, side])
        for (index, block) in blocks.enumerated() {
            let (red, green, blue) = decoded.pixel(x: index * side + side / 2, y: side / 2)
            for (actual, expected) in zip([red, green, blue].map(Int.init), block.rgb) {
                XCTAssertEqual(actual, expected, accuracy: 4, "block \(index)")
            }
        }
    }

    func testSingleComponentGrayscaleJPEGBecomesRGB() throws {
        // A true one-channel JPEG, written with TurboJPEG directly since ImageEncoder writes colour only.
        let width = 16, height = 8
        let gray = (0..<(width * height)).map { UInt8($0 % width * 16) }
        let jpeg = try JPEGTestFile.make(gray, width: width, height: height, format: TJPF_GRAY, subsampling: TJSAMP_GRAY)
        let decoded = try ImageDecoder.decode(data: jpeg, source: "gray.jpg")
        XCTAssertEqual(decoded.width, width)
        XCTAssertEqual(decoded.height, height)
        for index in 0..<(width * height) {
            let (red, green, blue) = decoded.pixel(x: index % width, y: index / width)
            XCTAssertEqual(red, green)
            XCTAssertEqual(red, blue)
            XCTAssertEqual(Int(red), Int(gray[index]), accuracy: 2)
        }
    }

    func testGrayscalePNGIsReplicatedIntoRGB() throws {
        let data = PNGTestFile.make(width: 3, height: 1, colorType: .gray, samples: [0, 100, 255])
        let decoded = try ImageDecoder.decode(data: data, source: "gray.png")
        XCTAssertEqual(decoded.pixels, [0, 0, 0, 100, 100, 100, 255, 255, 255])
    }

    func testSixteenBitPNGWithoutGammaIsTakenAsSRGB() throws {
        // 0x8000 / 65535 = 0.50001, i.e. 128 in 8 bits; libpng would gamma-encode it to 188 if it
        // assumed linear samples (its default for 16-bit files without gamma information).
        let data = PNGTestFile.make(width: 2, height: 1, colorType: .gray, samples: [0x80, 0x00, 0xFF, 0xFF],
                                    bitDepth: 16)
        XCTAssertEqual(try ImageDecoder.decode(data: data, source: "deep.png").pixels, [128, 128, 128, 255, 255, 255])
    }

    func testPalettePNGIsExpanded() throws {
        let palette: [UInt8] = [10, 20, 30, 200, 150, 100]
        let data = PNGTestFile.make(width: 2, height: 2, colorType: .palette, samples: [0, 1, 1, 0], palette: palette)
        let decoded = try ImageDecoder.decode(data: data, source: "palette.png")
        XCTAssertEqual(decoded.pixels, [10, 20, 30, 200, 150, 100, 200, 150, 100, 10, 20, 30])
    }

    func testRGBAPNGIsCompositedOntoWhite() throws {
        let samples: [UInt8] = [255, 0, 0, 255,  // opaque red stays red
                                0, 255, 0, 0,  // transparent green becomes white
                                0, 0, 0, 128]  // half-transparent black on white, blended in linear light
        let data = PNGTestFile.make(width: 3, height: 1, colorType: .rgba, samples: samples)
        let decoded = try ImageDecoder.decode(data: data, source: "alpha.png")
        XCTAssertEqual(Array(decoded.pixels[0..<6]), [255, 0, 0, 255, 255, 255])
        // Black is 0 in linear light and white 1, so the blend is 1 - 128/255 in linear light,
        // which sRGB-encodes to 1.055 * 0.498^(1/2.4) - 0.055 = 0.734, i.e. 187.
        let linear = 1 - 128.0 / 255
        let expected = (1.055 * pow(linear, 1 / 2.4) - 0.055) * 255
        for channel in 6..<9 {
            XCTAssertEqual(Double(decoded.pixels[channel]), expected, accuracy: 1.5)
        }
    }

    func testTruncatedJPEGIsAnErrorNamingTheFile() throws {
        let image = TestImages.make(width: 64, height: 64) { x, y in
            (UInt8((x * 7 + y * 13) % 256), UInt8((x * y) % 256), UInt8((x ^ y) * 4 % 256))
        }
        let jpeg = try ImageEncoder.jpeg(image, quality: 90)
        let url = try write(jpeg.prefix(jpeg.count / 2), to: "truncated.jpg")
        guard let error = decodingError(url) else { return }
        guard case .corruptData(let message) = error.reason else {
            return XCTFail("expected corrupt data, got \(error.reason)")
        }
        XCTAssertTrue(message.contains("Premature end"), message)
    }

    func testTruncatedPNGIsAnError() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 40, height: 40))
        let url = try write(png.prefix(png.count / 2), to: "truncated.png")
        guard let error = decodingError(url) else { return }
        guard case .corruptData = error.reason else { return XCTFail("expected corrupt data, got \(error.reason)") }
    }

    func testTextFileIsRejectedWithItsLeadingBytes() throws {
        let url = try write(Data("hello, world".utf8), to: "notes.jpg")
        guard let error = decodingError(url) else { return }
        XCTAssertEqual(error.reason, .unknownFormat(leadingBytes: Array("hello, w".utf8)))
        XCTAssertTrue(error.description.contains("68 65 6C 6C 6F"), error.description)
    }

    func testRandomBytesAreRejected() throws {
        var state: UInt32 = 12_345
        let bytes = (0..<1000).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        let url = try write(Data(bytes), to: "noise.png")
        guard let error = decodingError(url) else { return }
        XCTAssertEqual(error.reason, .unknownFormat(leadingBytes: Array(bytes.prefix(8))))
    }

    func testJPEGSignatureWithGarbageIsCorruptData() throws {
        let url = try write(Data([0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02, 0x03]), to: "garbage.jpg")
        guard let error = decodingError(url) else { return }
        guard case .corruptData = error.reason else { return XCTFail("expected corrupt data, got \(error.reason)") }
    }

    func testEmptyFileIsAnError() throws {
        let url = try write(Data(), to: "empty.png")
        XCTAssertEqual(decodingError(url)?.reason, .emptyFile)
    }

    func testMissingFileIsUnreadable() throws {
        let url = directory.appendingPathComponent("missing.jpg")
        guard let error = decodingError(url) else { return }
        guard case .unreadableFile = error.reason else { return XCTFail("expected unreadable, got \(error.reason)") }
    }

    func testAbsurdPNGDimensionsAreRejectedBeforeAllocation() throws {
        // A valid header announcing 30000 x 1 pixels, followed by one empty row.
        let data = PNGTestFile.make(width: 30_000, height: 1, colorType: .gray, samples: [])
        XCTAssertThrowsError(try ImageDecoder.decode(data: data, source: "huge.png")) { error in
            XCTAssertEqual((error as? ImageError)?.reason, .unsupportedDimensions(width: 30_000, height: 1))
            XCTAssertTrue("\(error)".contains("huge.png"))
        }
    }

    func testAbsurdJPEGDimensionsAreRejectedBeforeAllocation() throws {
        var jpeg = [UInt8](try ImageEncoder.jpeg(TestImages.gradient(width: 8, height: 8), quality: 90))
        // Baseline frame header: FF C0, length (2 bytes), precision (1), height (2), width (2).
        let frame = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[frame + 7] = 0x75  // width 0x7530 = 30000
        jpeg[frame + 8] = 0x30
        XCTAssertThrowsError(try ImageDecoder.decode(data: Data(jpeg), source: "huge.jpg")) { error in
            XCTAssertEqual((error as? ImageError)?.reason, .unsupportedDimensions(width: 30_000, height: 8))
        }
    }

    func testPixelBufferOfWrongSizeIsRejected() {
        XCTAssertThrowsError(try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11)))
        XCTAssertThrowsError(try RGBImage(width: -1, height: -3, pixels: [0, 0, 0]))
        XCTAssertThrowsError(try RGBImage(width: Int.max, height: 2, pixels: []))
        XCTAssertNoThrow(try RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6]))
    }
}
