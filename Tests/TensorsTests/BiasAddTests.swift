@testable import Tensors
import TestSupport
import XCTest

/// `Tensor.addingBias(_:to:)`, a linear layer's bias added in the matrix product's own storage,
/// against `product + bias`.
final class BiasAddTests: XCTestCase {
    /// Output and the gradients of `x`, `w` and `b` for `sum((x wᵀ + b) · v)`, the bias added by
    /// `addingBias` or by `+`.
    private func run(inPlace: Bool) -> (output: [Float], gradients: [[Float]]) {
        let x = randomTensor([6, 5, 7, 24], seed: 1).requiringGradient()
        let w = randomTensor([40, 24], seed: 2).requiringGradient()
        let b = randomTensor([40], seed: 3, mean: 1).requiringGradient()
        let output = inPlace ? Tensor.addingBias(b, to: matmul(x, transposing: w)) : matmul(x, transposing: w) + b
        (output * randomTensor(output.shape, seed: 4)).sum().backward()
        return (output.scalars, [x, w, b].map { $0.gradient!.scalars })
    }

    func testInPlaceEqualsTheAddition() {
        let added = run(inPlace: false), inPlace = run(inPlace: true)
        XCTAssertEqual(inPlace.output, added.output, "the output, bit for bit")
        for (index, name) in ["input", "weight", "bias"].enumerated() {
            assertClose(inPlace.gradients[index], added.gradients[index].map(Double.init), "gradient of the \(name)",
                        tolerance: .elementwise(1e-6))
        }
    }

    func testAFreshProductIsWrittenInPlace() {
        let product = matmul(randomTensor([64, 32], seed: 5), transposing: randomTensor([48, 32], seed: 6))
        let address = product.storage.baseAddress
        let output = Tensor.addingBias(randomTensor([48], seed: 7), to: consume product)
        XCTAssertEqual(output.storage.baseAddress, address, "the product's storage holds the output")
    }

    func testAProductHeldElsewhereIsLeftAsItWas() {
        let product = matmul(randomTensor([64, 32], seed: 5), transposing: randomTensor([48, 32], seed: 6))
        let before = product.scalars, bias = randomTensor([48], seed: 7)
        let output = Tensor.addingBias(bias, to: product)
        XCTAssertEqual(product.scalars, before, "the product, still used here, is unchanged")
        XCTAssertEqual(output.scalars, (product + bias).scalars)
        XCTAssertNotEqual(output.storage.baseAddress, product.storage.baseAddress)
    }
}
