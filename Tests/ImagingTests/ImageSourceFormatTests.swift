import CTurboJPEG
import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class ImageSourceFormatTests: XCTestCase {
    /// A PNG layout, one row of its samples (the file repeats it on a second row), and the RGB
    /// bytes the decoder must make of that row.
    private struct PNGCase {
        var colorType: PNGTestFile.ColorType
        var bitDepth: UInt8
        var width: Int
        var row: [UInt8]
        var palette: [UInt8] = []
        var rgb: [UInt8]
        var channels: ImageSourceFormat.Channels
        var label: String
    }

    private static let palette: [UInt8] = [10, 20, 30, 200, 150, 100, 0, 255, 7]

    private static let pngCases: [PNGCase] = [
        // Low bit depths are packed from the high bit and scaled to 0...255 (2 bits: 0, 85, 170, 255).
        PNGCase(colorType: .gray, bitDepth: 1, width: 3, row: [0b1010_0000],
                rgb: [255, 255, 255, 0, 0, 0, 255, 255, 255], channels: .grey, label: "PNG grey 1-bit"),
        PNGCase(colorType: .gray, bitDepth: 2, width: 4, row: [0b00_01_10_11],
                rgb: [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255], channels: .grey, label: "PNG grey 2-bit"),
        PNGCase(colorType: .gray, bitDepth: 4, width: 2, row: [0x5A],
                rgb: [85, 85, 85, 170, 170, 170], channels: .grey, label: "PNG grey 4-bit"),
        PNGCase(colorType: .gray, bitDepth: 8, width: 3, row: [0, 77, 255],
                rgb: [0, 0, 0, 77, 77, 77, 255, 255, 255], channels: .grey, label: "PNG grey 8-bit"),
        // 16-bit samples v·257 become v exactly (0xFFFF is 255).
        PNGCase(colorType: .gray, bitDepth: 16, width: 3, row: [0xFF, 0xFF, 0x00, 0x00, 0x4D, 0x4D],
                rgb: [255, 255, 255, 0, 0, 0, 77, 77, 77], channels: .grey, label: "PNG grey 16-bit"),
        PNGCase(colorType: .rgb, bitDepth: 8, width: 2, row: [10, 20, 30, 200, 150, 100],
                rgb: [10, 20, 30, 200, 150, 100], channels: .rgb, label: "PNG RGB 8-bit"),
        PNGCase(colorType: .rgb, bitDepth: 16, width: 2,
                row: [0x12, 0x12, 0xC8, 0xC8, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x80, 0x0A, 0x0A],
                rgb: [18, 200, 255, 0, 128, 10], channels: .rgb, label: "PNG RGB 16-bit"),
        PNGCase(colorType: .palette, bitDepth: 1, width: 2, row: [0b0100_0000], palette: palette,
                rgb: [10, 20, 30, 200, 150, 100], channels: .palette, label: "PNG palette 1-bit"),
        PNGCase(colorType: .palette, bitDepth: 2, width: 3, row: [0b10_01_00_00], palette: palette,
                rgb: [0, 255, 7, 200, 150, 100, 10, 20, 30], channels: .palette, label: "PNG palette 2-bit"),
        PNGCase(colorType: .palette, bitDepth: 4, width: 2, row: [0x21], palette: palette,
                rgb: [0, 255, 7, 200, 150, 100], channels: .palette, label: "PNG palette 4-bit"),
        PNGCase(colorType: .palette, bitDepth: 8, width: 2, row: [1, 0], palette: palette,
                rgb: [200, 150, 100, 10, 20, 30], channels: .palette, label: "PNG palette 8-bit"),
        // Opaque pixels keep their colour; transparent ones become white.
        PNGCase(colorType: .grayAlpha, bitDepth: 8, width: 2, row: [90, 255, 90, 0],
                rgb: [90, 90, 90, 255, 255, 255], channels: .greyAlpha, label: "PNG grey+alpha 8-bit"),
        PNGCase(colorType: .grayAlpha, bitDepth: 16, width: 2, row: [0x5A, 0x5A, 0xFF, 0xFF, 0x5A, 0x5A, 0x00, 0x00],
                rgb: [90, 90, 90, 255, 255, 255], channels: .greyAlpha, label: "PNG grey+alpha 16-bit"),
        PNGCase(colorType: .rgba, bitDepth: 8, width: 2, row: [255, 0, 0, 255, 0, 255, 0, 0],
                rgb: [255, 0, 0, 255, 255, 255], channels: .rgba, label: "PNG RGBA 8-bit"),
        PNGCase(colorType: .rgba, bitDepth: 16, width: 2,
                row: [0x12, 0x12, 0xC8, 0xC8, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0],
                rgb: [18, 200, 0, 255, 255, 255], channels: .rgba, label: "PNG RGBA 16-bit"),
    ]

    private func png(_ testCase: PNGCase) -> Data {
        PNGTestFile.make(width: testCase.width, height: 2, colorType: testCase.colorType,
                         samples: testCase.row + testCase.row, bitDepth: testCase.bitDepth, palette: testCase.palette)
    }

    private func probe(_ data: Data, _ source: String) throws -> ImageSourceFormat {
        try ImageDecoder.sourceFormat(of: data, source: source)
    }

    /// Fails unless `error` is a corrupt-data error; returns its message.
    @discardableResult
    private func corruptDataMessage(_ error: ImageError?, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard case .corruptData(let message) = error?.reason else {
            XCTFail("expected corrupt data, got \(String(describing: error))", file: file, line: line)
            return ""
        }
        return message
    }

    func testEveryPNGColourTypeAndBitDepthIsReportedFromTheHeader() throws {
        for testCase in Self.pngCases {
            let format = try probe(png(testCase), testCase.label)
            XCTAssertEqual(format, ImageSourceFormat(container: .png, channels: testCase.channels,
                                                     bitsPerSample: Int(testCase.bitDepth), width: testCase.width,
                                                     height: 2))
            XCTAssertEqual(format.description, testCase.label)
            XCTAssertEqual(format.channels.hasAlpha, [.greyAlpha, .rgba].contains(testCase.channels), testCase.label)
            XCTAssertEqual(format.channels.isGrey, [.grey, .greyAlpha].contains(testCase.channels), testCase.label)
        }
    }

    func testEveryPNGColourTypeAndBitDepthStillDecodesToTheExpectedRGB() throws {
        for testCase in Self.pngCases {
            let decoded = try ImageDecoder.decode(data: png(testCase), source: testCase.label)
            XCTAssertEqual([decoded.width, decoded.height], [testCase.width, 2], testCase.label)
            XCTAssertEqual(decoded.pixels, testCase.rgb + testCase.rgb, testCase.label)
        }
    }

    func testRGBJPEGIsReported() throws {
        // ImageEncoder stores colour as YCbCr, which is reported as RGB.
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 20, height: 12), quality: 90)
        let format = try probe(jpeg, "colour.jpg")
        XCTAssertEqual(format, ImageSourceFormat(container: .jpeg, channels: .rgb, bitsPerSample: 8,
                                                 width: 20, height: 12))
        XCTAssertEqual(format.description, "JPEG RGB 8-bit")
    }

    func testGreyscaleJPEGIsReportedAndDecodesToEqualChannels() throws {
        let jpeg = try JPEGTestFile.make([UInt8](repeating: 77, count: 16 * 8), width: 16, height: 8,
                                         format: TJPF_GRAY, subsampling: TJSAMP_GRAY)
        let format = try probe(jpeg, "grey.jpg")
        XCTAssertEqual(format, ImageSourceFormat(container: .jpeg, channels: .grey, bitsPerSample: 8,
                                                 width: 16, height: 8))
        XCTAssertEqual(format.description, "JPEG grey 8-bit")
        for value in try ImageDecoder.decode(data: jpeg, source: "grey.jpg").pixels {
            XCTAssertEqual(Int(value), 77, accuracy: 1)
        }
    }

    func testCMYKJPEGIsReported() throws {
        let cmyk = [UInt8](repeating: 200, count: 8 * 4 * 4)
        let jpeg = try JPEGTestFile.make(cmyk, width: 8, height: 4, format: TJPF_CMYK, subsampling: TJSAMP_444)
        let format = try probe(jpeg, "print.jpg")
        XCTAssertEqual(format, ImageSourceFormat(container: .jpeg, channels: .cmyk, bitsPerSample: 8,
                                                 width: 8, height: 4))
        XCTAssertEqual(format.description, "JPEG CMYK 8-bit")
    }

    func testTwelveBitJPEGIsRejectedByTheProbeAsByTheDecoder() throws {
        // TurboJPEG 2 reads 8-bit JPEGs only, so every JPEG that probes fine is 8-bit.
        var jpeg = [UInt8](try ImageEncoder.jpeg(TestImages.gradient(width: 8, height: 8), quality: 90))
        // Baseline frame header: FF C0, length (2 bytes), precision (1)...
        let frame = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[frame + 4] = 12
        let probeError = assertThrows(ImageError.self, try probe(Data(jpeg), "deep.jpg"))
        let message = corruptDataMessage(probeError)
        XCTAssertTrue(message.contains("precision"), message)
        let decodeError = assertThrows(ImageError.self, try ImageDecoder.decode(data: Data(jpeg), source: "deep.jpg"))
        XCTAssertEqual(decodeError, probeError)
    }

    func testProbingAFileNamesItInErrors() throws {
        let folder = try TemporaryFolder(self)
        let good = folder.url.appendingPathComponent("good.png")
        try PNGTestFile.make(width: 3, height: 1, colorType: .gray, samples: [1, 2, 3]).write(to: good)
        XCTAssertEqual(try ImageDecoder.sourceFormat(fileAt: good).description, "PNG grey 8-bit")

        let truncated = folder.url.appendingPathComponent("truncated.png")
        try Data(try ImageEncoder.png(TestImages.gradient(width: 4, height: 4)).prefix(20)).write(to: truncated)
        let error = assertThrows(ImageError.self, try ImageDecoder.sourceFormat(fileAt: truncated))
        XCTAssertEqual(error?.source, truncated.path)
        XCTAssertTrue(error?.description.contains(truncated.path) == true)
        let message = corruptDataMessage(error)
        XCTAssertTrue(message.contains("truncated"), message)

        let missing = folder.url.appendingPathComponent("missing.png")
        let missingError = assertThrows(ImageError.self, try ImageDecoder.sourceFormat(fileAt: missing))
        guard case .unreadableFile = missingError?.reason else {
            return XCTFail("a missing file must be unreadable, got \(String(describing: missingError))")
        }
        XCTAssertEqual(missingError?.source, missing.path)
    }

    func testJPEGCutBeforeItsFrameHeaderIsAnError() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 8, height: 8), quality: 90)
        let error = assertThrows(ImageError.self, try probe(jpeg.prefix(20), "cut.jpg"))
        XCTAssertEqual(error?.source, "cut.jpg")
        corruptDataMessage(error)
    }

    func testTheProbeReadsOnlyTheHeader() throws {
        // Half a JPEG still has its whole header: the probe succeeds where decoding fails.
        let image = TestImages.make(width: 64, height: 48) { x, y in
            (UInt8(x * 3), UInt8((x * y) % 256), UInt8(y * 5))
        }
        let jpeg = try ImageEncoder.jpeg(image, quality: 90)
        let half = jpeg.prefix(jpeg.count / 2)
        XCTAssertEqual(try probe(half, "half.jpg").description, "JPEG RGB 8-bit")
        assertThrows(ImageError.self, try ImageDecoder.decode(data: half, source: "half.jpg"))
    }

    func testInvalidPNGHeadersAreRejectedAsTheDecoderRejectsThem() throws {
        var notIHDR = PNGTestFile.make(width: 2, height: 1, colorType: .gray, samples: [1, 2])
        notIHDR[12] = UInt8(ascii: "X")
        let files: [(name: String, data: Data)] = [
            ("rgb-4-bit.png", PNGTestFile.make(width: 2, height: 1, colorType: .rgb, samples: [0, 0, 0], bitDepth: 4)),
            ("palette-16-bit.png", PNGTestFile.make(width: 1, height: 1, colorType: .palette, samples: [0, 0],
                                                    bitDepth: 16, palette: [1, 2, 3])),
            ("not-ihdr.png", notIHDR),
        ]
        for file in files {
            let error = assertThrows(ImageError.self, try probe(file.data, file.name))
            XCTAssertEqual(error?.source, file.name)
            corruptDataMessage(error)
            assertThrows(ImageError.self, try ImageDecoder.decode(data: file.data, source: file.name))
        }
    }

    func testProbeErrorsMatchTheDecoderForEmptyUnknownAndOversizedFiles() throws {
        let files: [Data] = [Data(), Data("hello, world".utf8),
                             PNGTestFile.make(width: 30_000, height: 1, colorType: .gray, samples: [])]
        for data in files {
            let probeError = assertThrows(ImageError.self, try probe(data, "file"))
            XCTAssertNotNil(probeError)
            XCTAssertEqual(probeError, assertThrows(ImageError.self, try ImageDecoder.decode(data: data, source: "file")))
        }
    }
}
