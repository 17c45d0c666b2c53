@testable import Tensors
import TestSupport
import XCTest

/// What one forward and backward pass of a batch-normalization chain produced: its output, the
/// gradients of its inputs, scale and shift, and the running statistics it left.
struct NormalizationPass {
    var output: [Float], gradInputs: [[Float]], gradScale: [Float], gradShift: [Float]
    var runningMean: [Float], runningVariance: [Float]

    /// Asserts that this pass equals `reference` up to the order of Float additions in the sums
    /// (outputs and statistics element by element, gradients relative to their largest value).
    func assertClose(to reference: NormalizationPass, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        TestSupport.assertClose(output, reference.output.map(Double.init), "\(what): output", tolerance: .elementwise(1e-4),
                                file: file, line: line)
        TestSupport.assertClose(runningMean, reference.runningMean.map(Double.init), "\(what): running mean",
                                tolerance: .elementwise(1e-5), file: file, line: line)
        TestSupport.assertClose(runningVariance, reference.runningVariance.map(Double.init), "\(what): running variance",
                                tolerance: .elementwise(1e-4), file: file, line: line)
        XCTAssertEqual(gradInputs.count, reference.gradInputs.count, "\(what): inputs", file: file, line: line)
        for (index, gradient) in zip(gradInputs, reference.gradInputs).enumerated() {
            TestSupport.assertClose(gradient.0, gradient.1.map(Double.init), "\(what): gradient of input \(index)",
                                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        }
        TestSupport.assertClose(gradScale, reference.gradScale.map(Double.init), "\(what): scale gradient",
                                tolerance: .relativeToLargest(1e-4), file: file, line: line)
        TestSupport.assertClose(gradShift, reference.gradShift.map(Double.init), "\(what): shift gradient",
                                tolerance: .relativeToLargest(1e-4), file: file, line: line)
    }
}
