import Tensors
import XCTest

/// `matmul(_:transposing:)`: `a × bᵀ` reading `b [n, k]` in place.
final class TransposedMatrixMultiplicationTests: XCTestCase {
    func testHandComputedProduct() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [2, 3], scalars: [1, 0, -1, 2, 1, 0])
        // Rows of a against rows of b: [1 - 3, 2 + 2], [4 - 6, 8 + 5].
        assertTensor(matmul(a, transposing: b), equals: [-2, 4, -2, 13], shape: [2, 2])
    }

    func testLeadingAxesAreFoldedIntoRows() throws {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([5, 4], seed: 2)
        let expected = matmul(a, b.transposed())
        assertTensor(matmul(a, transposing: b), equals: expected.scalars, shape: [2, 3, 5], accuracy: 1e-5)
    }

    func testGradientsMatchFiniteDifferences() {
        assertGradientsMatchFiniteDifferences([randomTensor([3, 4], seed: 3), randomTensor([2, 4], seed: 4)]) {
            matmul($0[0], transposing: $0[1])
        }
        assertGradientsMatchFiniteDifferences([randomTensor([2, 2, 3], seed: 5), randomTensor([4, 3], seed: 6)]) {
            matmul($0[0], transposing: $0[1])
        }
    }

    func testOnlyTheInputsThatNeedItGetAGradient() {
        let weight = Parameter(randomTensor([2, 3], seed: 7), isFrozen: true)
        let input = randomTensor([4, 3], seed: 8).requiringGradient()
        matmul(input, transposing: weight.value).sum().backward()
        XCTAssertNil(weight.gradient)
        // d(sum)/d input[m, k] = sum over n of weight[n, k].
        let columnSums = (0..<3).map { k in weight.value.scalars[k] + weight.value.scalars[3 + k] }
        assertTensor(input.gradient!, equals: Array((0..<4).map { _ in columnSums }.joined()), shape: [4, 3])
    }
}
