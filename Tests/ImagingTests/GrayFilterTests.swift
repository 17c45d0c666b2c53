import XCTest
@testable import Imaging

final class GrayFilterTests: XCTestCase {
    private func gray(width: Int, height: Int, _ value: (Int, Int) -> Float) -> GrayImage {
        var values: [Float] = []
        for y in 0..<height { for x in 0..<width { values.append(value(x, y)) } }
        return GrayImage(validatedWidth: width, height: height, values: values)
    }

    func testOtsuSplitsTwoLevelsInTheMiddle() throws {
        let image = gray(width: 10, height: 4) { x, _ in x < 3 ? 0.2 : 0.8 }
        let threshold = try XCTUnwrap(image.otsuThreshold())
        // Levels 51 and 204 tie for every k in 51...203; the middle is 127, so the threshold is 127.5/255.
        XCTAssertEqual(threshold, 127.5 / 255, accuracy: 1e-6)
        XCTAssertEqual(image.mask(darkerThan: threshold).fraction, 0.3, accuracy: 1e-12)
    }

    func testOtsuSeparatesTwoNoisyClusters() throws {
        // Dark values 0.10...0.19, light values 0.70...0.79: the threshold lies between the clusters.
        let image = gray(width: 20, height: 10) { x, y in (x < 10 ? 0.1 : 0.7) + Float((x * 7 + y * 3) % 10) / 100 }
        let threshold = try XCTUnwrap(image.otsuThreshold())
        XCTAssertGreaterThan(threshold, 0.19)
        XCTAssertLessThan(threshold, 0.70)
    }

    func testOtsuOfAConstantImageIsNil() {
        XCTAssertNil(gray(width: 5, height: 5) { _, _ in 0.4 }.otsuThreshold())
    }

    func testSobelOfAVerticalEdge() {
        let edge = gray(width: 6, height: 5) { x, _ in x < 3 ? 0 : 1 }
        let magnitude = edge.sobelMagnitude()
        XCTAssertEqual(magnitude.width, 4)
        XCTAssertEqual(magnitude.height, 3)
        // Interior columns x = 1...4; the kernel straddles the step at x = 2 and x = 3: 1 + 2 + 1 = 4.
        for y in 0..<3 {
            XCTAssertEqual(magnitude.values[y * 4...y * 4 + 3].map { $0 }, [0, 4, 4, 0])
        }
    }

    func testSobelOfAHorizontalRampIsConstant() {
        // Slope 0.1 per pixel: gx = (1 + 2 + 1) * 0.2 = 0.8, gy = 0.
        let ramp = gray(width: 5, height: 5) { x, _ in Float(x) / 10 }
        for value in ramp.sobelMagnitude().values { XCTAssertEqual(value, 0.8, accuracy: 1e-6) }
        XCTAssertEqual(gray(width: 2, height: 9) { _, _ in 1 }.sobelMagnitude().values, [])
    }
}
