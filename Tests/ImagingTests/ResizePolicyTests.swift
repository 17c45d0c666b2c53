import XCTest
@testable import Imaging

final class ResizePolicyTests: XCTestCase {
    private static let band: (UInt8, UInt8, UInt8) = (255, 0, 0)

    /// A landscape image whose `bandWidth` columns at each end are pure red and whose centre is
    /// a pattern without red: green = x, blue = 3·y (below 256 for the sizes used here).
    private func bandedLandscape(width: Int, height: Int, bandWidth: Int) -> RGBImage {
        TestImages.make(width: width, height: height) { x, y in
            x < bandWidth || x >= width - bandWidth ? Self.band : (0, UInt8(x), UInt8(3 * y))
        }
    }

    /// `image` with rows and columns exchanged (portrait from landscape).
    private func transposed(_ image: RGBImage) -> RGBImage {
        TestImages.make(width: image.height, height: image.width) { x, y in image.pixel(x: y, y: x) }
    }

    func testSquashIsTheOldSquareResize() {
        let image = TestImages.gradient(width: 37, height: 21)
        for size in [1, 8, 21, 50] {
            XCTAssertEqual(image.resized(toSquare: size, policy: .squash), image.resized(width: size, height: size))
        }
    }

    func testAnImageOfTheRightSizeIsReturnedUnchanged() {
        let image = TestImages.gradient(width: 24, height: 24)
        for policy in ResizePolicy.allCases {
            XCTAssertEqual(image.resized(toSquare: 24, policy: policy), image, policy.rawValue)
        }
    }

    func testCenterCropOfASquareImageEqualsSquash() {
        let image = TestImages.gradient(width: 31, height: 31)
        for size in [1, 7, 16, 62] {
            XCTAssertEqual(image.resized(toSquare: size, policy: .centerCrop),
                           image.resized(toSquare: size, policy: .squash))
        }
    }

    func testCenterCropCutsAwayTheSideBandsAndKeepsTheCentreExactly() {
        // 30x20 to 20: the height already fits, so nothing is resampled and the crop starts at x = 5,
        // exactly where the 5-pixel red bands end.
        let landscape = bandedLandscape(width: 30, height: 20, bandWidth: 5)
        let cropped = landscape.resized(toSquare: 20, policy: .centerCrop)
        XCTAssertEqual([cropped.width, cropped.height], [20, 20])
        for y in 0..<20 {
            for x in 0..<20 {
                XCTAssertTrue(cropped.pixel(x: x, y: y) == landscape.pixel(x: x + 5, y: y), "(\(x), \(y))")
                XCTAssertEqual(cropped.pixel(x: x, y: y).red, 0, "(\(x), \(y))")
            }
        }
        // The squash keeps the bands, squeezed.
        XCTAssertEqual(landscape.resized(toSquare: 20, policy: .squash).pixel(x: 0, y: 10).red, 255)
    }

    func testPortraitIsCroppedLikeTheTransposedLandscape() {
        let landscape = bandedLandscape(width: 30, height: 20, bandWidth: 5)
        let portrait = transposed(landscape)
        XCTAssertEqual([portrait.width, portrait.height], [20, 30])
        let cropped = portrait.resized(toSquare: 20, policy: .centerCrop)
        XCTAssertEqual(cropped, transposed(landscape.resized(toSquare: 20, policy: .centerCrop)))
        XCTAssertFalse(cropped.pixels.enumerated().contains { $0.offset % 3 == 0 && $0.element != 0 }, "no red left")
    }

    func testCenterCropWhileShrinkingRemovesTheBands() {
        // 60x40 to 20: resized to 30x20 (bands 5 pixels wide after the 2x shrink), then cropped at x = 5.
        for image in [bandedLandscape(width: 60, height: 40, bandWidth: 10),
                      transposed(bandedLandscape(width: 60, height: 40, bandWidth: 10))] {
            let cropped = image.resized(toSquare: 20, policy: .centerCrop)
            XCTAssertEqual([cropped.width, cropped.height], [20, 20])
            for y in 0..<20 {
                for x in 0..<20 {
                    XCTAssertEqual(cropped.pixel(x: x, y: y).red, 0, "(\(x), \(y)) of \(image.width)x\(image.height)")
                }
            }
        }
    }

    func testCenterCropOffsetRoundsHalfToEvenLikeTorchvision() {
        // Red is the source column, so the first column of the crop tells the offset:
        // Python's round((width - 20) / 2) for excesses 1, 2, 3, 4, 5, 7.
        for (width, offset) in [(21, 0), (22, 1), (23, 2), (24, 2), (25, 2), (27, 4)] {
            let image = TestImages.make(width: width, height: 20) { x, _ in (UInt8(x), 0, 0) }
            let cropped = image.resized(toSquare: 20, policy: .centerCrop)
            XCTAssertEqual(Int(cropped.pixel(x: 0, y: 0).red), offset, "width \(width)")
            XCTAssertEqual(Int(cropped.pixel(x: 19, y: 19).red), offset + 19, "width \(width)")
        }
    }

    func testTinyImagesAndSizesGiveASquareOfTheRequestedSide() {
        for (width, height) in [(1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3), (7, 2)] {
            let image = TestImages.gradient(width: width, height: height)
            for size in 0...3 {
                for policy in ResizePolicy.allCases {
                    let square = image.resized(toSquare: size, policy: policy)
                    XCTAssertEqual([square.width, square.height, square.pixels.count], [size, size, size * size * 3],
                                   "\(width)x\(height) to \(size), \(policy)")
                }
            }
        }
        let empty = RGBImage(validatedWidth: 0, height: 3, pixels: [])
        XCTAssertEqual(empty.resized(toSquare: 2, policy: .centerCrop).pixels, [UInt8](repeating: 0, count: 12))
        XCTAssertEqual(TestImages.gradient(width: 4, height: 2).resized(toSquare: -1, policy: .centerCrop).pixels, [])
    }

    func testPolicyNamesAreStable() throws {
        XCTAssertEqual(ResizePolicy.allCases.map(\.rawValue), ["squash", "center-crop"])
        let encoded = try JSONEncoder().encode([ResizePolicy.centerCrop])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["center-crop"]"#)
        XCTAssertEqual(try JSONDecoder().decode([ResizePolicy].self, from: Data(#"["squash"]"#.utf8)), [.squash])
    }
}
