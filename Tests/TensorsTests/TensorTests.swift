import Randomness
@testable import Tensors
import XCTest

/// Creation, element access, copy-on-write, alignment and seeded random tensors.
final class TensorTests: XCTestCase {
    func testCreationFromScalarsChecksTheCount() throws {
        let tensor = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(tensor.rank, 2)
        XCTAssertEqual(tensor.scalarCount, 6)
        XCTAssertEqual(tensor.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try Tensor(shape: [2, 3], scalars: [1, 2])) { error in
            XCTAssertEqual(error as? TensorError, .scalarCountMismatch(shape: [2, 3], count: 2))
            XCTAssertEqual("\(error)", "Tensor(shape:scalars:): shape [2, 3] needs 6 scalars, got 2")
        }
        XCTAssertThrowsError(try Tensor(shape: [-1, 2], scalars: []))
    }

    func testConstantsAndScalar() {
        XCTAssertEqual(Tensor.zeros([2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([3]).scalars, [1, 1, 1])
        XCTAssertEqual(Tensor.filled([2], with: 7).scalars, [7, 7])
        XCTAssertEqual(Tensor(4.5).shape, [])
        XCTAssertEqual(Tensor(4.5).scalar, 4.5)
        XCTAssertEqual(Tensor([1, 2, 3]).shape, [3])
        XCTAssertEqual(Tensor([1, 2, 3]).scalars, [1, 2, 3])
    }

    func testCopiesAreIndependentValues() throws {
        let original = try Tensor(shape: [3], scalars: [1, 2, 3])
        var copy = original
        copy.withUnsafeMutableBufferPointer { $0[1] = 20 }
        XCTAssertEqual(original.scalars, [1, 2, 3])
        XCTAssertEqual(copy.scalars, [1, 20, 3])
    }

    func testBuffersAre64ByteAligned() {
        for count in [1, 3, 17, 5000, 100_003] {
            let tensor = Tensor.zeros([count])
            XCTAssertEqual(Int(bitPattern: tensor.storage.baseAddress) % 64, 0, "count \(count)")
        }
    }

    func testReleasedLargeBuffersAreReused() {
        let count = 1 << 16
        var first: Tensor? = Tensor.zeros([count])
        let address = first!.storage.baseAddress
        first = nil
        let second = Tensor.ones([count])
        XCTAssertEqual(second.storage.baseAddress, address, "the pool hands back the released buffer")
        XCTAssertEqual(second.scalars.allSatisfy { $0 == 1 }, true)
        XCTAssertNil(first)
    }

    func testPoolCapacityBoundsTheMemoryItKeeps() {
        let pool = BufferPool.shared
        let original = pool.capacityInBytes
        defer { pool.capacityInBytes = original }
        _ = Tensor.zeros([1 << 16])
        XCTAssertGreaterThanOrEqual(pool.pooledByteCount, 4 << 16)
        pool.capacityInBytes = 0
        XCTAssertEqual(pool.pooledByteCount, 0)
        _ = Tensor.zeros([1 << 16])
        XCTAssertEqual(pool.pooledByteCount, 0, "nothing is kept beyond the capacity")

        pool.capacityInBytes = 1 << 20
        _ = Tensor.zeros([200_000])
        XCTAssertEqual(pool.pooledByteCount, 800_000)
        _ = Tensor.zeros([100_000])  // the 200,000 floats are more than 1.5 times as many: not reused
        XCTAssertEqual(pool.pooledByteCount, 400_000, "the older size makes room for the newer one")
    }

    /// With no free buffer of the exact size, the smallest free one of at most 1.5 times the size
    /// serves, and goes back to the pool as the larger size it is.
    func testThePoolLendsTheSmallestFreeBufferOfAtMostOneAndAHalfTimesTheSize() {
        let pool = BufferPool.shared
        let original = pool.capacityInBytes
        defer { pool.capacityInBytes = original }
        pool.capacityInBytes = 0
        pool.capacityInBytes = 1 << 22
        var large: Tensor? = Tensor.zeros([150_000]), larger: Tensor? = Tensor.zeros([160_000])
        let largeAddress = large!.storage.baseAddress, largerAddress = larger!.storage.baseAddress
        large = nil
        larger = nil
        XCTAssertEqual(pool.pooledByteCount, 1_240_000)
        var middle: Tensor? = Tensor.ones([120_000])
        XCTAssertEqual(middle!.storage.baseAddress, largeAddress, "the smallest free buffer that is large enough")
        XCTAssertEqual(middle!.scalars.count, 120_000)
        XCTAssertEqual(pool.pooledByteCount, 640_000)
        let small = Tensor.ones([100_000])
        XCTAssertNotEqual(small.storage.baseAddress, largerAddress, "160,000 floats are more than 1.5 times 100,000")
        XCTAssertEqual(pool.pooledByteCount, 640_000)
        middle = nil
        XCTAssertEqual(pool.pooledByteCount, 1_240_000, "the lent buffer comes back as its 150,000 floats")
        let exact = Tensor.ones([150_000])
        XCTAssertEqual(exact.storage.baseAddress, largeAddress)
        XCTAssertNil(middle)
    }

    /// A step whose activations exceed the old fixed capacity of 512 MiB (48 saved outputs of
    /// 16 MiB each, plus their gradients) must be served entirely from the pool the second time.
    func testASecondTrainingStepAllocatesNoFreshBuffers() {
        let activationBytes = 48 * (4 << 20) * MemoryLayout<Float>.stride
        guard BufferPool.shared.capacityInBytes >= 2 * activationBytes else {
            return XCTFail("the default pool capacity \(BufferPool.shared.capacityInBytes) bytes cannot hold a 768 MiB step")
        }
        let weight = Parameter(Tensor.ones([4 << 20]))
        func step() {
            weight.zeroGradient()
            var x = weight.value * 0.5
            for _ in 0..<48 { x = sigmoid(x) }
            x.sum().backward()
        }
        step()
        let freshBefore = BufferPool.shared.freshAllocationCount
        step()
        XCTAssertEqual(BufferPool.shared.freshAllocationCount, freshBefore,
                       "the second step's buffers must all come from the pool")
    }

    func testReshapeSharesStorage() {
        let tensor = Tensor.ones([2, 6])
        let reshaped = tensor.reshaped(to: [3, -1])
        XCTAssertEqual(reshaped.shape, [3, 4])
        XCTAssertTrue(reshaped.storage === tensor.storage)
    }

    func testSeededRandomTensorsAreReproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = Tensor.randomNormal([100], generator: &a)
        XCTAssertEqual(first.scalars, Tensor.randomNormal([100], generator: &b).scalars)
        XCTAssertNotEqual(first.scalars, Tensor.randomNormal([100], generator: &c).scalars)
        var d = SeededGenerator(seed: 7), e = SeededGenerator(seed: 7)
        XCTAssertEqual(Tensor.randomUniform([50], lowerBound: -1, upperBound: 1, generator: &d).scalars,
                       Tensor.randomUniform([50], lowerBound: -1, upperBound: 1, generator: &e).scalars)
    }

    func testRandomDistributionsHaveTheirMoments() {
        var generator = SeededGenerator(seed: 3)
        let normal = Tensor.randomNormal([20000], mean: 2, standardDeviation: 3, generator: &generator)
        let mean = normal.mean().scalar
        let variance = (normal - mean).squared().mean().scalar
        XCTAssertEqual(mean, 2, accuracy: 0.1)
        XCTAssertEqual(variance.squareRoot(), 3, accuracy: 0.1)
        let uniform = Tensor.randomUniform([20000], lowerBound: -1, upperBound: 3, generator: &generator)
        XCTAssertGreaterThanOrEqual(uniform.scalars.min()!, -1)
        XCTAssertLessThan(uniform.scalars.max()!, 3)
        XCTAssertEqual(uniform.mean().scalar, 1, accuracy: 0.05)
    }

    func testBroadcastShapesFollowNumPyAndMismatchesNameBothShapes() throws {
        XCTAssertEqual(try Tensor.broadcastShape([2, 1, 4], [3, 1], operation: "*"), [2, 3, 4])
        XCTAssertEqual(try Tensor.broadcastShape([], [5], operation: "+"), [5])
        XCTAssertThrowsError(try Tensor.broadcastShape([2, 3], [4], operation: "+")) { error in
            XCTAssertEqual("\(error)", "+: shapes [2, 3] and [4] do not match")
        }
    }

    func testErrorMessagesNameTheOperationAndShapes() {
        XCTAssertEqual(TensorError.shapeMismatch(operation: "+", lhs: [2, 3], rhs: [4]).description,
                       "+: shapes [2, 3] and [4] do not match")
        XCTAssertEqual(TensorError.invalidAxis(operation: "sum(alongAxes:)", axis: 3, rank: 2).description,
                       "sum(alongAxes:): axis 3 is out of range for a tensor of rank 2")
        XCTAssertEqual(TensorError.shapeMismatch(operation: "matmul", lhs: [2, 3], rhs: [4, 5]).errorDescription,
                       "matmul: shapes [2, 3] and [4, 5] do not match")
    }
}
