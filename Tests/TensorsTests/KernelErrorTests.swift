import CDNNL
@testable import Tensors
import XCTest

final class KernelErrorTests: XCTestCase {
    func testRejectedCallNamesPrimitiveCallAndStatus() {
        XCTAssertThrowsError(try MemoryDescriptor.make([Int](repeating: 2, count: 13), dnnl_a, primitive: "demo 13-d tensor")) {
            XCTAssertEqual($0 as? DNNLError, DNNLError(primitive: "demo 13-d tensor", cause: .status(
                call: "dnnl_memory_desc_create_with_tag", status: "dnnl_invalid_arguments")))
            XCTAssertEqual("\($0)", "demo 13-d tensor: dnnl_memory_desc_create_with_tag failed with dnnl_invalid_arguments")
        }
    }

    func testTransposedConvolutionWithOutputPaddingBeyondPaddingRuns() throws {
        // PyTorch allows output_padding 1 with padding 0 (oneDNN then sees right padding -1).
        let geometry = Convolution2DGeometry(batch: 1, inputHeight: 2, inputWidth: 2, inputChannels: 1, outputChannels: 1,
                                             window: .init(kernel: 2, stride: 2), hasBias: false)
        let kernel = try TransposedConvolution2DKernel(geometry, outputPaddingY: 1, outputPaddingX: 1)
        XCTAssertEqual(kernel.outputHeight, 5)
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forward(input: [1, 2, 3, 4], weights: [1, 10, 100, 1000], bias: nil, output: &output)
        // Each input pixel stamps its 2x2 kernel; the extra last row and column stay zero.
        XCTAssertEqual(output, [1, 10, 2, 20, 0,
                                100, 1000, 200, 2000, 0,
                                3, 30, 4, 40, 0,
                                300, 3000, 400, 4000, 0,
                                0, 0, 0, 0, 0])
    }
}
