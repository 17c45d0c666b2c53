import XCTest
@testable import Imaging

final class ResizeTests: XCTestCase {
    func testSameSizeReturnsTheImageUnchanged() {
        let image = TestImages.gradient(width: 13, height: 7)
        XCTAssertEqual(image.resized(width: 13, height: 7), image)
    }

    func testConstantImageStaysConstantAtEveryScale() {
        let image = TestImages.make(width: 50, height: 30) { _, _ in (17, 130, 254) }
        for (width, height) in [(100, 60), (37, 29), (20, 12), (7, 3), (1, 1), (224, 224)] {
            let resized = image.resized(width: width, height: height)
            XCTAssertEqual(resized.width, width)
            XCTAssertEqual(resized.height, height)
            for index in 0..<(width * height) {
                XCTAssertEqual(resized.pixel(x: index % width, y: index / width).red, 17)
                XCTAssertEqual(resized.pixel(x: index % width, y: index / width).green, 130)
                XCTAssertEqual(resized.pixel(x: index % width, y: index / width).blue, 254)
            }
        }
    }

    func testTwoByTwoToFourByFourBilinear() {
        // Pixel centres aligned: target x maps to source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
        // clamped to 0...1, so a row [a, b] becomes [a, 3a/4 + b/4, a/4 + 3b/4, b].
        let image = TestImages.make(width: 2, height: 2) { x, y in
            let values: [[UInt8]] = [[0, 200], [40, 120]]
            return (values[y][x], 0, 255)
        }
        let resized = image.resized(width: 4, height: 4)
        let row0: [Double] = [0, 50, 150, 200], row1: [Double] = [40, 60, 100, 120]
        for y in 0..<4 {
            let weight1 = [0, 0.25, 0.75, 1][y]
            for x in 0..<4 {
                let expected = (1 - weight1) * row0[x] + weight1 * row1[x]
                XCTAssertEqual(Double(resized.pixel(x: x, y: y).red), expected.rounded(), "(\(x), \(y))")
                XCTAssertEqual(resized.pixel(x: x, y: y).blue, 255)
            }
        }
    }

    func testDownscalingByFourAveragesBlocks() {
        // Area averaging: each target pixel is the mean of a 4x4 block of the source.
        let image = TestImages.make(width: 8, height: 4) { x, y in (UInt8(x * 10 + y), 0, 0) }
        let resized = image.resized(width: 2, height: 1)
        // Block mean of x*10 + y over x in 0...3, y in 0...3 is 15 + 1.5; over x in 4...7, 55 + 1.5.
        XCTAssertEqual(resized.pixel(x: 0, y: 0).red, 17)  // 16.5 rounds to 17 (ties away from zero)
        XCTAssertEqual(resized.pixel(x: 1, y: 0).red, 57)
    }

    func testDownscalingACheckerboardByMoreThanTwoDoesNotAlias() {
        // A 1-pixel checkerboard shrunk 4x must become mid-grey, not black or white.
        let image = TestImages.make(width: 32, height: 32) { x, y in
            (x + y) % 2 == 0 ? (0, 0, 0) : (255, 255, 255)
        }
        let resized = image.resized(width: 8, height: 8)
        for value in resized.pixels {
            XCTAssertEqual(Int(value), 128, accuracy: 1)
        }
    }

    func testDegenerateSizesDoNotCrash() {
        let image = TestImages.gradient(width: 4, height: 4)
        XCTAssertEqual(image.resized(width: 0, height: 5).pixels.count, 0)
        XCTAssertEqual(image.resized(width: -3, height: 2).width, 0)
        let empty = RGBImage(validatedWidth: 0, height: 0, pixels: [])
        XCTAssertEqual(empty.resized(width: 2, height: 2).pixels, [UInt8](repeating: 0, count: 12))
    }
}
