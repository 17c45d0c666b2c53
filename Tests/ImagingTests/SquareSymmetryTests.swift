import XCTest
@testable import Imaging

final class SquareSymmetryTests: XCTestCase {
    /// 3 x 2, every pixel different:  a b c
    ///                                 d e f   (red = 10·(x + 1) + y, so a = 10, b = 20, d = 11, ...)
    private let image = TestImages.make(width: 3, height: 2) { x, y in (UInt8(10 * (x + 1) + y), UInt8(x), UInt8(y)) }

    private func reds(_ image: RGBImage) -> [[UInt8]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image.pixel(x: x, y: y).red } }
    }

    func testEachSymmetryMovesThePixelsAsDrawn() {
        let (a, b, c, d, e, f): (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (10, 20, 30, 11, 21, 31)
        let expected: [SquareSymmetry: [[UInt8]]] = [
            .identity: [[a, b, c], [d, e, f]],
            .mirrorLeftRight: [[c, b, a], [f, e, d]],
            .mirrorTopBottom: [[d, e, f], [a, b, c]],
            .rotation180: [[f, e, d], [c, b, a]],
            .transpose: [[a, d], [b, e], [c, f]],
            .rotation90: [[d, a], [e, b], [f, c]],       // clockwise: the left column becomes the top row
            .rotation270: [[c, f], [b, e], [a, d]],
            .antiTranspose: [[f, c], [e, b], [d, a]],
        ]
        for symmetry in SquareSymmetry.allCases {
            let moved = image.transformed(by: symmetry)
            XCTAssertEqual(reds(moved), expected[symmetry], "\(symmetry)")
            // Whole pixels move: the other channels follow the red one.
            for y in 0..<moved.height {
                for x in 0..<moved.width {
                    let p = moved.pixel(x: x, y: y)
                    XCTAssertEqual(p.green, p.red / 10 - 1, "\(symmetry) (\(x), \(y))")
                    XCTAssertEqual(p.blue, p.red % 10, "\(symmetry) (\(x), \(y))")
                }
            }
        }
    }

    func testFourQuarterTurnsAreTheIdentityAndTwoAreAHalfTurn() {
        let square = TestImages.make(width: 4, height: 4) { x, y in (UInt8(x + 4 * y), 0, 0) }
        var turned = square
        for turn in 1...4 {
            turned = turned.transformed(by: .rotation90)
            XCTAssertEqual(turned == square, turn == 4, "after \(turn) quarter turns")
            if turn == 2 { XCTAssertEqual(turned, square.transformed(by: .rotation180)) }
        }
        XCTAssertEqual(square.transformed(by: .rotation90).transformed(by: .rotation270), square)
        XCTAssertEqual(Set(SquareSymmetry.allCases.map { square.transformed(by: $0).pixels }).count, 8,
                       "the eight orientations of an asymmetric square differ")
    }
}
