import Foundation
import Tensors
import TestSupport
import XCTest

/// Forward outputs and gradients against PyTorch, from `Fixtures/tensor_ops.json` (written by
/// `scripts/fixtures/tensor_ops.py`). Each gradient is that of `sum(output * projection)`.
/// Agreement is relative to the largest magnitude of the reference tensor: 1e-4.
final class OperationPyTorchParityTests: XCTestCase {
    private struct EncodedTensor: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { try! Tensor(shape: shape, scalars: values) }
    }

    private struct Case: Decodable {
        let name: String
        let inputs: [String: EncodedTensor]
        let output: EncodedTensor
        let projection: EncodedTensor
        let gradients: [String: EncodedTensor]
        let labels: [Int]?
        let classWeights: [Float]?
        let labelSmoothing: Float?
    }

    private struct Fixture: Decodable { let cases: [Case] }

    private static let tolerance = Tolerance.relativeToLargest(1e-4)

    private static let cases: [Case] = {
        let url = try! FixtureFolder(.module).url("tensor_ops.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
    }()

    /// The Swift counterpart of each fixture case, given the inputs by name.
    private func operation(for testCase: Case) -> ([String: Tensor]) -> Tensor {
        let crossEntropy: ([String: Tensor]) -> Tensor = { inputs in
            softmaxCrossEntropy(logits: inputs["logits"]!, labels: testCase.labels!,
                                classWeights: testCase.classWeights.map { try! Tensor(shape: [$0.count], scalars: $0) },
                                labelSmoothing: testCase.labelSmoothing ?? 0)
        }
        switch testCase.name {
        case "matmul", "matmul_batched", "matmul_shared_right": return { matmul($0["a"]!, $0["b"]!) }
        case "add_broadcast": return { $0["a"]! + $0["b"]! }
        case "subtract_broadcast": return { $0["a"]! - $0["b"]! }
        case "multiply_broadcast": return { $0["a"]! * $0["b"]! }
        case "divide_broadcast": return { $0["a"]! / $0["b"]! }
        case "exp": return { exp($0["x"]!) }
        case "log": return { log($0["x"]!) }
        case "sqrt": return { sqrt($0["x"]!) }
        case "pow": return { pow($0["x"]!, 2.5) }
        case "permute": return { $0["x"]!.permuted(0, 3, 1, 2) }
        case "slice_concatenate":
            return { Tensor(concatenating: [$0["a"]!.sliced([1..<3, 1..<4]), $0["b"]!.sliced([1..<3])], alongAxis: 1) }
        case "sum_axes": return { $0["x"]!.sum(alongAxes: 0, 2) }
        case "mean_axis_keepdim": return { $0["x"]!.mean(alongAxes: [1], keepingDimensions: true) }
        case "max_axis": return { $0["x"]!.max(alongAxis: 2) }
        case "softmax": return { softmax($0["x"]!) }
        case "log_softmax": return { logSoftmax($0["x"]!) }
        case let name where name.hasPrefix("cross_entropy"): return crossEntropy
        default: fatalError("fixture case \(testCase.name) has no Swift counterpart")
        }
    }

    func testEveryFixtureCaseMatchesPyTorch() {
        XCTAssertEqual(Self.cases.count, 22)
        for testCase in Self.cases {
            let leaves = testCase.inputs.mapValues { $0.tensor.requiringGradient() }
            let output = operation(for: testCase)(leaves)
            XCTAssertEqual(output.shape, testCase.output.shape, "\(testCase.name) output: shape")
            assertClose(output.scalars, testCase.output.values.doubles, "\(testCase.name) output", tolerance: Self.tolerance)
            (output * testCase.projection.tensor).sum().backward()
            for (name, expected) in testCase.gradients {
                guard let gradient = leaves[name]!.gradient else {
                    XCTFail("\(testCase.name): no gradient for \(name)")
                    continue
                }
                XCTAssertEqual(gradient.shape, expected.shape, "\(testCase.name) gradient of \(name): shape")
                assertClose(gradient.scalars, expected.values.doubles, "\(testCase.name) gradient of \(name)",
                            tolerance: Self.tolerance)
            }
        }
    }
}
