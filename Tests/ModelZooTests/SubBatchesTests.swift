@testable import ModelZoo
import Tensors
import XCTest

final class SubBatchesTests: XCTestCase {
    /// A batch of 5 in passes of at most 2 images: the body sees 2, 2 and 1 images in order, and the
    /// joined result equals the body applied to the whole batch.
    func testSplitsAlongTheBatchAndJoinsInOrder() throws {
        let batch = try Tensor(shape: [5, 1, 1, 2], scalars: (0..<10).map(Float.init))
        var seen: [[Int]] = []
        let doubled = batch.inSubBatches(ofAtMost: 2) { part in
            seen.append(part.shape)
            return part * 2
        }
        XCTAssertEqual(seen, [[2, 1, 1, 2], [2, 1, 1, 2], [1, 1, 1, 2]])
        XCTAssertEqual(doubled.shape, [5, 1, 1, 2])
        XCTAssertEqual(doubled.scalars, (0..<10).map { Float($0 * 2) })
    }

    func testABatchWithinTheLimitIsOnePass() throws {
        let batch = try Tensor(shape: [3, 2], scalars: (0..<6).map(Float.init))
        var passes = 0
        _ = batch.inSubBatches(ofAtMost: 3) { part in
            passes += 1
            return part
        }
        XCTAssertEqual(passes, 1)
    }
}
