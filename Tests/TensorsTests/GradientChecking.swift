import Randomness
import Tensors
import XCTest

/// Compares the backward pass of `function` with central finite differences.
///
/// The output is reduced to a scalar with fixed random weights (`Σ output · r`), so every
/// output element's gradient path is exercised. Each input element is perturbed by ±`step`
/// and the loss evaluated in Double from the Float outputs; the analytic gradient must agree
/// within `absoluteTolerance + relativeTolerance · |numeric|`.
func assertGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], step: Float = 1e-2, relativeTolerance: Float = 1e-2, absoluteTolerance: Float = 2e-3,
    file: StaticString = #filePath, line: UInt = #line, _ function: ([Tensor]) -> Tensor
) {
    let probeShape = Tensor.withoutGradients { function(inputs).shape }
    var generator = SeededGenerator(seed: 977)
    let projection = Tensor.randomUniform(probeShape, lowerBound: 0.5, upperBound: 1.5, generator: &generator)
    func projectedLoss(_ values: [Tensor]) -> Double {
        let output = Tensor.withoutGradients { function(values) }
        return zip(output.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    let leaves = inputs.map { $0.requiringGradient() }
    (function(leaves) * projection).sum().backward()

    for (index, leaf) in leaves.enumerated() {
        guard let analytic = leaf.gradient else {
            XCTFail("input \(index) received no gradient", file: file, line: line)
            continue
        }
        XCTAssertEqual(analytic.shape, inputs[index].shape, "gradient shape of input \(index)", file: file, line: line)
        let base = inputs[index].scalars
        for element in base.indices {
            var perturbed = inputs
            var plus = base, minus = base
            plus[element] += step
            minus[element] -= step
            perturbed[index] = try! Tensor(shape: inputs[index].shape, scalars: plus)
            let upper = projectedLoss(perturbed)
            perturbed[index] = try! Tensor(shape: inputs[index].shape, scalars: minus)
            let lower = projectedLoss(perturbed)
            let numeric = Float((upper - lower) / (2 * Double(step)))
            let value = analytic.scalars[element]
            XCTAssertLessThanOrEqual(abs(value - numeric), absoluteTolerance + relativeTolerance * abs(numeric),
                                     "input \(index) element \(element): analytic \(value), numeric \(numeric)",
                                     file: file, line: line)
        }
    }
}

/// A seeded standard-normal tensor for gradient tests.
func randomTensor(_ shape: [Int], seed: UInt64, mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, mean: mean, standardDeviation: standardDeviation, generator: &generator)
}

/// Asserts that `actual` has `shape` and elements within `accuracy` of `expected`.
func assertTensor(_ actual: Tensor, equals expected: [Float], shape: [Int], accuracy: Float = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, shape, "shape", file: file, line: line)
    XCTAssertEqual(actual.scalarCount, expected.count, "element count", file: file, line: line)
    for (index, (a, e)) in zip(actual.scalars, expected).enumerated() {
        XCTAssertEqual(a, e, accuracy: accuracy, "element \(index)", file: file, line: line)
    }
}
