import XCTest
@testable import Imaging

final class WarpTests: XCTestCase {
    private let image = TestImages.make(width: 5, height: 5) { x, y in (UInt8(x * 50), UInt8(y * 50), UInt8(x + 10 * y)) }

    func testIdentityIsExact() throws {
        XCTAssertEqual(try image.warped(by: .identity), image)
    }

    func testTranslationShiftsAndFills() throws {
        let shifted = try image.warped(by: .translation(x: 2, y: -1), fill: (1, 2, 3))
        for y in 0..<5 {
            for x in 0..<5 {
                // Output (x, y) shows input (x - 2, y + 1).
                let expected = x >= 2 && y <= 3 ? image.pixel(x: x - 2, y: y + 1) : (1, 2, 3)
                XCTAssertTrue(shifted.pixel(x: x, y: y) == expected, "(\(x), \(y))")
            }
        }
    }

    func testNearestBorderRepeatsTheEdgePixels() throws {
        let shifted = try image.warped(by: .translation(x: 2, y: 0), border: .nearest)
        for y in 0..<5 {
            for x in 0..<5 {
                // Output (x, y) shows input (x - 2, y), clamped to the left edge column.
                XCTAssertTrue(shifted.pixel(x: x, y: y) == image.pixel(x: max(x - 2, 0), y: y), "(\(x), \(y))")
            }
        }
    }

    func testReflectBorderMirrorsTheImageWithItsEdgePixel() throws {
        // One row of reds 10 20 30 40; mirrored it reads ... 30 20 10 10 | 10 20 30 40 | 40 30 20 10 10 ...
        let row = TestImages.make(width: 4, height: 1) { x, _ in (UInt8(10 * (x + 1)), 0, 0) }
        func reds(_ shift: Double) throws -> [UInt8] {
            let shifted = try row.warped(by: .translation(x: shift, y: 0), border: .reflect)
            return (0..<4).map { shifted.pixel(x: $0, y: 0).red }
        }
        XCTAssertEqual(try reds(2), [20, 10, 10, 20])    // output x shows input x - 2: -2 -> 1, -1 -> 0
        XCTAssertEqual(try reds(-3), [40, 40, 30, 20])   // input 3, 4 -> 3, 5 -> 2, 6 -> 1
        XCTAssertEqual(try reds(9), [10, 10, 20, 30])    // period 8: -9 -> -1 -> 0, -8 -> 0, -7 -> 1, -6 -> 2
        XCTAssertEqual(try reds(0.5), [10, 15, 25, 35])  // -0.5 blends the mirrored pixel 0 with pixel 0
        let nearest = try row.warped(by: .translation(x: 2, y: 0), border: .nearest)
        XCTAssertEqual((0..<4).map { nearest.pixel(x: $0, y: 0).red }, [10, 10, 10, 20])
    }

    func testHalfPixelShiftAveragesNeighbours() throws {
        let shifted = try image.warped(by: .translation(x: 0.5, y: 0))
        // Output (2, 0) samples input x = 1.5: red (50 + 100) / 2; output (0, 0) blends fill black and input 0.
        XCTAssertEqual(shifted.pixel(x: 2, y: 0).red, 75)
        XCTAssertEqual(shifted.pixel(x: 0, y: 3).blue, 15)  // (0 + 30) / 2 for blue = x + 10y at x = 0, y = 3
    }

    func testHorizontalFlipAboutTheCentreMirrors() throws {
        let flipped = try image.warped(by: AffineMap.scaling(x: -1, y: 1).centered(width: 5, height: 5))
        for y in 0..<5 {
            for x in 0..<5 { XCTAssertTrue(flipped.pixel(x: x, y: y) == image.pixel(x: 4 - x, y: y)) }
        }
    }

    func testQuarterTurnClockwiseAboutTheCentre() throws {
        let turned = try image.warped(by: AffineMap.rotation(radians: .pi / 2).centered(width: 5, height: 5))
        // Clockwise on screen: the input's left column becomes the output's top row, read bottom to top.
        for y in 0..<5 {
            for x in 0..<5 { XCTAssertTrue(turned.pixel(x: x, y: y) == image.pixel(x: y, y: 4 - x), "(\(x), \(y))") }
        }
    }

    func testZoomAndShearKeepAConstantImageConstantInside() throws {
        let gray = TestImages.make(width: 9, height: 9) { _, _ in (90, 90, 90) }
        let zoomed = try gray.warped(by: AffineMap.scaling(x: 2, y: 2).centered(width: 9, height: 9))
        XCTAssertTrue(zoomed.pixels.allSatisfy { $0 == 90 })
        let sheared = try gray.warped(by: AffineMap.shear(x: 0.3, y: 0).centered(width: 9, height: 9), fill: (90, 90, 90))
        XCTAssertTrue(sheared.pixels.allSatisfy { $0 == 90 })
    }

    func testCompositionAndInverse() throws {
        let move = AffineMap.rotation(radians: 0.3).followed(by: .translation(x: 4, y: -2))
            .followed(by: .shear(x: 0.2, y: 0.1))
        let inverse = try XCTUnwrap(move.inverse)
        let point = move.followed(by: inverse).apply(x: 3, y: 7)
        XCTAssertEqual(point.x, 3, accuracy: 1e-12)
        XCTAssertEqual(point.y, 7, accuracy: 1e-12)
        // Rotation then translation: (1, 0) turns to (cos 0.3, sin 0.3), then shifts.
        let moved = AffineMap.rotation(radians: 0.3).followed(by: .translation(x: 4, y: -2)).apply(x: 1, y: 0)
        XCTAssertEqual(moved.x, cos(0.3) + 4, accuracy: 1e-12)
        XCTAssertEqual(moved.y, sin(0.3) - 2, accuracy: 1e-12)
    }

    func testSingularTransformIsAnError() {
        XCTAssertNil(AffineMap.scaling(x: 0, y: 1).inverse)
        XCTAssertThrowsError(try image.warped(by: .scaling(x: 0, y: 1))) { error in
            XCTAssertEqual((error as? ImageError)?.reason, .notInvertible)
        }
    }
}
