import Foundation
@testable import Tensors
import TestSupport
import XCTest

final class KernelActivationTests: XCTestCase {
    static func reference(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .relu: return max(0, x)
        case .relu6: return min(max(0, x), 6)
        case .gelu: return x * 0.5 * (1 + erf(x / 2.0.squareRoot()))
        case .silu: return x / (1 + exp(-x))
        case .sigmoid: return 1 / (1 + exp(-x))
        case .tanh: return Foundation.tanh(x)
        }
    }

    func testForwardAndBackwardMatchReference() throws {
        let input = randomFloats(301, seed: 51).map { $0 * 8 }
        XCTAssertTrue(input.contains { $0 > 6 } && input.contains { $0 < 0 })
        let gradOutput = randomFloats(301, seed: 52)
        for activation in Activation.allCases {
            let kernel = try EltwiseKernel(activation, count: input.count)
            var output = [Float](repeating: .nan, count: input.count)
            try kernel.forward(input: input, output: &output)
            assertClose(output, input.map { Self.reference(activation, Double($0)) }, "\(activation) forward")

            var gradInput = [Float](repeating: .nan, count: input.count)
            try kernel.backward(gradOutput: gradOutput, saved: activation.backwardUsesOutput ? output : input,
                                gradInput: &gradInput)
            let h = 1e-5
            let expected = input.indices.map { i in
                let x = Double(input[i])
                return Double(gradOutput[i]) * (Self.reference(activation, x + h) - Self.reference(activation, x - h)) / (2 * h)
            }
            assertClose(gradInput, expected, "\(activation) backward")
        }
    }

    func testZeroCountIsRejected() {
        XCTAssertThrowsError(try EltwiseKernel(.gelu, count: 0)) {
            XCTAssertEqual("\($0)", "gelu over 0 values: invalid geometry: count must be positive")
        }
    }

    func testSoftmaxForwardAndBackward() throws {
        let (rows, columns) = (4, 7)
        let kernel = try SoftmaxKernel(rows: rows, columns: columns)
        let input = randomFloats(rows * columns, seed: 53).map { $0 * 5 }
        let reference = { (x: [Double]) -> [Double] in
            (0..<rows).flatMap { r -> [Double] in
                let row = x[(r * columns)..<((r + 1) * columns)]
                let top = row.max()!
                let sum = row.reduce(0) { $0 + exp($1 - top) }
                return row.map { exp($0 - top) / sum }
            }
        }
        var output = [Float](repeating: .nan, count: input.count)
        try kernel.forward(input: input, output: &output)
        assertClose(output, reference(input.doubles), "forward")
        let gradOutput = randomFloats(input.count, seed: 54)
        var gradInput = [Float](repeating: .nan, count: input.count)
        try kernel.backward(gradOutput: gradOutput, output: output, gradInput: &gradInput)
        assertClose(gradInput, numericalGradient(at: input.doubles) { dot(reference($0), gradOutput.doubles) }, "backward")
    }
}
