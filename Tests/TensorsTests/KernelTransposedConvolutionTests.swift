@testable import Tensors
import TestSupport
import XCTest

final class KernelTransposedConvolutionTests: XCTestCase {
    /// Geometries with their PyTorch-style output padding.
    static let cases: [(String, Convolution2DGeometry, outputPadding: Int)] = [
        ("3x3 s1 p0", .init(batch: 2, inputHeight: 3, inputWidth: 4, inputChannels: 3, outputChannels: 2,
                            window: .init(kernel: 3)), 0),
        ("3x3 s2 p1 op1", .init(batch: 2, inputHeight: 3, inputWidth: 3, inputChannels: 4, outputChannels: 3,
                                window: .init(kernel: 3, stride: 2, padding: 1), hasBias: false), 1),
        ("2x2 s2 groups 2", .init(batch: 1, inputHeight: 3, inputWidth: 2, inputChannels: 4, outputChannels: 6,
                                  window: .init(kernel: 2, stride: 2), groups: 2), 0),
        ("3x3 d2 p1", .init(batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 2, outputChannels: 3,
                            window: .init(kernel: 3, padding: 1, dilation: 2)), 0),
        ("asymmetric", .init(batch: 1, inputHeight: 3, inputWidth: 3, inputChannels: 2, outputChannels: 2,
                             window: .init(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                           padding: .init(top: 1, bottom: 0, left: 0, right: 1))), 0),
    ]

    func testForwardAndBackwardMatchReference() throws {
        for (label, geometry, outputPadding) in Self.cases {
            let kernel = try TransposedConvolution2DKernel(geometry, outputPaddingY: outputPadding, outputPaddingX: outputPadding)
            let input = randomFloats(geometry.inputCount, seed: 21)
            let weights = randomFloats(geometry.weightCount, seed: 22)
            let bias = geometry.hasBias ? randomFloats(geometry.outputChannels, seed: 23) : nil
            let reference = { (input: [Double], weights: [Double], bias: [Double]?) in
                ConvolutionReference.transposedForward(geometry, outputHeight: kernel.outputHeight,
                                                       outputWidth: kernel.outputWidth,
                                                       input: input, weights: weights, bias: bias)
            }
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try kernel.forward(input: input, weights: weights, bias: bias, output: &output)
            assertClose(output, reference(input.doubles, weights.doubles, bias?.doubles), "\(label) forward")

            let gradOutput = randomFloats(kernel.outputCount, seed: 24)
            let upstream = gradOutput.doubles
            var gradInput = [Float](repeating: .nan, count: geometry.inputCount)
            try kernel.backwardData(gradOutput: gradOutput, weights: weights, gradInput: &gradInput)
            assertClose(gradInput, numericalGradient(at: input.doubles) {
                dot(reference($0, weights.doubles, bias?.doubles), upstream)
            }, "\(label) grad input")

            var gradWeights = [Float](repeating: .nan, count: geometry.weightCount)
            var gradBias = [Float](repeating: .nan, count: geometry.outputChannels)
            try gradBias.withUnsafeMutableBufferPointer { gradBiasBuffer in
                try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: &gradWeights,
                                           gradBias: geometry.hasBias ? gradBiasBuffer.baseAddress : nil)
            }
            assertClose(gradWeights, numericalGradient(at: weights.doubles) {
                dot(reference(input.doubles, $0, bias?.doubles), upstream)
            }, "\(label) grad weights")
            if let bias {
                assertClose(gradBias, numericalGradient(at: bias.doubles) {
                    dot(reference(input.doubles, weights.doubles, $0), upstream)
                }, "\(label) grad bias")
            }
        }
    }

    func testOutputSizeFollowsPyTorchFormula() throws {
        let geometry = Self.cases[1].1
        let kernel = try TransposedConvolution2DKernel(geometry, outputPaddingY: 1, outputPaddingX: 1)
        // (3 - 1) * 2 - 1 - 1 + (3 - 1) + 1 + 1 = 6
        XCTAssertEqual(kernel.outputHeight, 6)
        XCTAssertEqual(kernel.outputWidth, 6)
    }

    func testOutputPaddingNotBelowStrideIsRejected() {
        XCTAssertThrowsError(try TransposedConvolution2DKernel(Self.cases[1].1, outputPaddingY: 2, outputPaddingX: 0)) {
            XCTAssertTrue("\($0)".hasPrefix("transposed convolution 3x3 s2 p1"), "\($0)")
            XCTAssertTrue("\($0)".contains("output padding 2x0"), "\($0)")
        }
    }
}
