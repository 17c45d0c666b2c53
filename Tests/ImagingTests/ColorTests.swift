import XCTest
@testable import Imaging

final class ColorTests: XCTestCase {
    func testGrayscaleUsesBT601Weights() {
        let image = TestImages.make(width: 4, height: 1) { x, _ in
            [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)][x]
        }
        let gray = image.grayscale()
        XCTAssertEqual(gray.width, 4)
        XCTAssertEqual(gray.values[0], 0.299, accuracy: 1e-6)
        XCTAssertEqual(gray.values[1], 0.587, accuracy: 1e-6)
        XCTAssertEqual(gray.values[2], 0.114, accuracy: 1e-6)
        XCTAssertEqual(gray.values[3], 1, accuracy: 1e-6)
    }

    func testHSVOfKnownColours() {
        func check(_ rgb: (UInt8, UInt8, UInt8), _ hue: Float, _ saturation: Float, _ value: Float,
                   line: UInt = #line) {
            let hsv = HSVColor(red: rgb.0, green: rgb.1, blue: rgb.2)
            XCTAssertEqual(hsv.hue, hue, accuracy: 1e-5, line: line)
            XCTAssertEqual(hsv.saturation, saturation, accuracy: 1e-5, line: line)
            XCTAssertEqual(hsv.value, value, accuracy: 1e-5, line: line)
        }
        check((255, 0, 0), 0, 1, 1)
        check((0, 255, 0), 1.0 / 3, 1, 1)
        check((0, 0, 255), 2.0 / 3, 1, 1)
        check((255, 255, 0), 1.0 / 6, 1, 1)
        check((255, 0, 255), 5.0 / 6, 1, 1)  // magenta, 300°
        check((255, 0, 128), (360 - 30.118) / 360, 1, 1)  // hue wraps: 360° - 60° * 128/255
        check((128, 0, 128), 5.0 / 6, 1, 128.0 / 255)  // purple
        check((100, 50, 50), 0, 0.5, 100.0 / 255)
        check((0, 0, 0), 0, 0, 0)
        check((128, 128, 128), 0, 0, 128.0 / 255)
    }

    func testHSVRangeMaskOfAKnownImage() {
        // Left to right: purple, dark purple, pale purple, red, white.
        let colors: [(UInt8, UInt8, UInt8)] = [(128, 0, 128), (30, 0, 30), (200, 180, 200), (255, 0, 0), (255, 255, 255)]
        let image = TestImages.make(width: 5, height: 2) { x, _ in colors[x] }
        let purple = HSVRange(hue: 0.7...0.9, minimumSaturation: 0.3, minimumValue: 0.2)
        let mask = purple.mask(of: image)
        XCTAssertEqual(mask.bits, [true, false, false, false, false, true, false, false, false, false])
        XCTAssertEqual(mask.fraction, 0.2, accuracy: 1e-12)
    }

    func testMaskedZeroesPixelsOutsideTheMask() throws {
        let image = TestImages.make(width: 2, height: 1) { x, _ in x == 0 ? (1, 2, 3) : (4, 5, 6) }
        let mask = try BinaryMask(width: 2, height: 1, bits: [false, true])
        XCTAssertEqual(try image.masked(by: mask).pixels, [0, 0, 0, 4, 5, 6])
        XCTAssertThrowsError(try image.masked(by: try BinaryMask(width: 1, height: 2, bits: [true, true])))
    }

    func testHSVRangeRoundTripsThroughJSON() throws {
        let range = HSVRange(hue: 0.7...0.9, minimumSaturation: 0.25, minimumValue: 0.1)
        let decoded = try JSONDecoder().decode(HSVRange.self, from: try JSONEncoder().encode(range))
        XCTAssertEqual(decoded, range)
    }
}
