@testable import ModelZoo
import Tensors
import XCTest

/// PyTorch's adaptive average pooling: cell i covers floor(i·in/out) ..< ceil((i+1)·in/out).
final class AdaptiveAveragePoolingTests: XCTestCase {
    /// Rows [1 2 3; 4 5 6] to 3 x 3: row bins {0}, {0, 1}, {1}; columns unchanged.
    func testUpsamplingBinsOverlap() throws {
        let x = try Tensor(shape: [1, 2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])
        let pooled = AdaptiveAveragePooling(outputSize: 3)(x)
        XCTAssertEqual(pooled.shape, [1, 3, 3, 1])
        XCTAssertEqual(pooled.scalars, [1, 2, 3, 2.5, 3.5, 4.5, 4, 5, 6])
    }

    /// Rows [1 4; 2 5; 3 6] to 2 x 2: row bins {0, 1}, {1, 2}.
    func testDownsamplingBinsOverlap() throws {
        let x = try Tensor(shape: [1, 3, 2, 1], scalars: [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(AdaptiveAveragePooling(outputSize: 2)(x).scalars, [1.5, 4.5, 2.5, 5.5])
    }

    /// 4 x 4 of 0 ... 15 to 2 x 2: the means of the four 2 x 2 blocks.
    func testDivisibleSizesAverageDisjointBlocks() throws {
        let x = try Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map(Float.init))
        XCTAssertEqual(AdaptiveAveragePooling(outputSize: 2)(x).scalars, [2.5, 4.5, 10.5, 12.5])
    }

    /// d(sum of the 3 x 3 output)/d input: each input row lies in a 1-row and a 2-row bin, 1 + 1/2.
    func testGradientSumsOverTheBinsContainingAnInput() throws {
        let x = try Tensor(shape: [1, 2, 3, 1], scalars: [1, 2, 3, 4, 5, 6]).requiringGradient()
        AdaptiveAveragePooling(outputSize: 3)(x).sum().backward()
        XCTAssertEqual(try XCTUnwrap(x.gradient).scalars, Array(repeating: 1.5, count: 6))
    }
}
