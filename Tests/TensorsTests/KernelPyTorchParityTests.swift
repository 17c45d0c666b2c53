import Foundation
@testable import Tensors
import TestSupport
import XCTest

/// Compares every kernel with PyTorch outputs and gradients stored by scripts/fixtures/dnnl_ops.py.
final class KernelPyTorchParityTests: XCTestCase {
    struct Fixtures: Decodable {
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let op: String
        let params: [String: Double]
        let tensors: [String: [Float]]

        func int(_ key: String) throws -> Int { Int(try XCTUnwrap(params[key], "\(name): param \(key)")) }
        func tensor(_ key: String) throws -> [Float] { try XCTUnwrap(tensors[key], "\(name): tensor \(key)") }
        func expect(_ actual: [Float], _ key: String) throws {
            assertClose(actual, try tensor(key).doubles, "\(name) \(key)")
        }
    }

    func loadCases(_ op: String) throws -> [Case] {
        let url = try FixtureFolder(.module).url("dnnl_ops.json")
        let cases = try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url)).cases.filter { $0.op == op }
        XCTAssertFalse(cases.isEmpty, "no fixtures for \(op)")
        return cases
    }

    /// Runs a (transposed) convolution case through forward and both backward passes.
    func checkConvolution(_ c: Case, geometry: Convolution2DGeometry, forward: ([Float], [Float], [Float]?, inout [Float]) throws -> Void,
                          backwardData: ([Float], [Float], inout [Float]) throws -> Void,
                          backwardWeights: ([Float], [Float], inout [Float], UnsafeMutablePointer<Float>?) throws -> Void,
                          outputCount: Int) throws {
        let input = try c.tensor("input"), weights = try c.tensor("weights"), bias = c.tensors["bias"]
        var output = [Float](repeating: .nan, count: outputCount)
        try forward(input, weights, bias, &output)
        try c.expect(output, "output")
        var gradInput = [Float](repeating: .nan, count: geometry.inputCount)
        try backwardData(try c.tensor("grad_output"), weights, &gradInput)
        try c.expect(gradInput, "grad_input")
        var gradWeights = [Float](repeating: .nan, count: geometry.weightCount)
        var gradBias = [Float](repeating: .nan, count: geometry.outputChannels)
        try gradBias.withUnsafeMutableBufferPointer { buffer in
            try backwardWeights(input, try c.tensor("grad_output"), &gradWeights, geometry.hasBias ? buffer.baseAddress : nil)
        }
        try c.expect(gradWeights, "grad_weights")
        if geometry.hasBias { try c.expect(gradBias, "grad_bias") }
    }

    func testConvolution() throws {
        for c in try loadCases("conv2d") {
            let geometry = Convolution2DGeometry(
                batch: try c.int("n"), inputHeight: try c.int("h"), inputWidth: try c.int("w"), inputChannels: try c.int("c"),
                outputChannels: try c.int("oc"),
                window: Window2D(kernelHeight: try c.int("k"), kernelWidth: try c.int("k"), strideY: try c.int("stride"),
                                 strideX: try c.int("stride"), dilationY: try c.int("dilation"), dilationX: try c.int("dilation"),
                                 padding: Padding2D(top: try c.int("pad_top"), bottom: try c.int("pad_bottom"),
                                                    left: try c.int("pad_left"), right: try c.int("pad_right"))),
                groups: try c.int("groups"), hasBias: try c.int("bias") == 1)
            let kernel = try Convolution2DKernel(geometry)
            try checkConvolution(c, geometry: geometry,
                                 forward: { try kernel.forward(input: $0, weights: $1, bias: $2, output: &$3) },
                                 backwardData: { try kernel.backwardData(gradOutput: $0, weights: $1, gradInput: &$2) },
                                 backwardWeights: { try kernel.backwardWeights(input: $0, gradOutput: $1, gradWeights: &$2, gradBias: $3) },
                                 outputCount: kernel.outputCount)
        }
    }

    func testTransposedConvolution() throws {
        for c in try loadCases("conv_transpose2d") {
            let geometry = Convolution2DGeometry(
                batch: try c.int("n"), inputHeight: try c.int("h"), inputWidth: try c.int("w"), inputChannels: try c.int("c"),
                outputChannels: try c.int("oc"),
                window: Window2D(kernel: try c.int("k"), stride: try c.int("stride"), padding: try c.int("padding")),
                groups: try c.int("groups"))
            let kernel = try TransposedConvolution2DKernel(geometry, outputPaddingY: try c.int("output_padding"),
                                                           outputPaddingX: try c.int("output_padding"))
            try checkConvolution(c, geometry: geometry,
                                 forward: { try kernel.forward(input: $0, weights: $1, bias: $2, output: &$3) },
                                 backwardData: { try kernel.backwardData(gradOutput: $0, weights: $1, gradInput: &$2) },
                                 backwardWeights: { try kernel.backwardWeights(input: $0, gradOutput: $1, gradWeights: &$2, gradBias: $3) },
                                 outputCount: kernel.outputCount)
        }
    }

    func testPooling() throws {
        for c in try loadCases("pool2d") {
            let mode: PoolingMode = [.max, .averageIncludingPadding, .averageExcludingPadding][try c.int("mode")]
            let kernel = try Pooling2DKernel(batch: try c.int("n"), inputHeight: try c.int("h"), inputWidth: try c.int("w"),
                                             channels: try c.int("c"),
                                             window: Window2D(kernel: try c.int("k"), stride: try c.int("stride"),
                                                              padding: try c.int("padding")), mode: mode)
            let input = try c.tensor("input")
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            let workspace = try kernel.forward(input: input, output: &output)
            try c.expect(output, "output")
            var gradInput = [Float](repeating: .nan, count: input.count)
            try kernel.backward(gradOutput: try c.tensor("grad_output"), workspace: workspace, gradInput: &gradInput)
            try c.expect(gradInput, "grad_input")
        }
    }

    func testBatchNormalization() throws {
        for c in try loadCases("batch_norm") {
            let channels = try c.int("c")
            let kernel = try BatchNormalizationKernel(batch: try c.int("n"), height: try c.int("h"), width: try c.int("w"),
                                                      channels: channels, epsilon: Float(try XCTUnwrap(c.params["eps"])))
            let input = try c.tensor("input"), scale = try c.tensor("scale"), shift = try c.tensor("shift")
            var output = [Float](repeating: .nan, count: input.count)
            var mean = [Float](repeating: .nan, count: channels), variance = mean
            try kernel.forwardTraining(input: input, scale: scale, shift: shift, output: &output, mean: &mean, variance: &variance)
            try c.expect(output, "output")
            try c.expect(mean, "batch_mean")
            try c.expect(variance, "batch_variance")

            var runningMean = [Float](repeating: 0, count: channels), runningVariance = [Float](repeating: 1, count: channels)
            BatchNormStatistics.blend(runningMean: &runningMean, runningVariance: &runningVariance, batchMean: mean,
                                      batchVariance: variance, channels: channels, sampleCount: kernel.valuesPerChannel,
                                      momentum: Float(try XCTUnwrap(c.params["momentum"])))
            try c.expect(runningMean, "running_mean")
            try c.expect(runningVariance, "running_variance")
            var evalOutput = [Float](repeating: .nan, count: input.count)
            try kernel.forwardInference(input: input, scale: scale, shift: shift, mean: runningMean, variance: runningVariance,
                                        output: &evalOutput)
            try c.expect(evalOutput, "eval_output")

            var gradInput = [Float](repeating: .nan, count: input.count)
            var gradScale = [Float](repeating: .nan, count: channels), gradShift = gradScale
            try kernel.backward(gradOutput: try c.tensor("grad_output"), input: input, scale: scale, mean: mean,
                                variance: variance, gradInput: &gradInput, gradScale: &gradScale, gradShift: &gradShift)
            try c.expect(gradInput, "grad_input")
            try c.expect(gradScale, "grad_scale")
            try c.expect(gradShift, "grad_shift")
        }
    }

    func testLayerNormalization() throws {
        for c in try loadCases("layer_norm") {
            let rows = try c.int("rows"), channels = try c.int("c")
            let kernel = try LayerNormalizationKernel(rows: rows, channels: channels, epsilon: Float(try XCTUnwrap(c.params["eps"])))
            let input = try c.tensor("input"), scale = try c.tensor("scale"), shift = try c.tensor("shift")
            var output = [Float](repeating: .nan, count: input.count)
            var mean = [Float](repeating: .nan, count: rows), variance = mean
            try kernel.forward(input: input, scale: scale, shift: shift, output: &output, mean: &mean, variance: &variance)
            try c.expect(output, "output")
            var gradInput = [Float](repeating: .nan, count: input.count)
            var gradScale = [Float](repeating: .nan, count: channels), gradShift = gradScale
            try kernel.backward(gradOutput: try c.tensor("grad_output"), input: input, scale: scale, mean: mean,
                                variance: variance, gradInput: &gradInput, gradScale: &gradScale, gradShift: &gradShift)
            try c.expect(gradInput, "grad_input")
            try c.expect(gradScale, "grad_scale")
            try c.expect(gradShift, "grad_shift")
        }
    }

    func testActivations() throws {
        let cases = try loadCases("activation")
        XCTAssertEqual(Set(cases.map(\.name)), Set(Activation.allCases.map { "\($0)" }))
        for c in cases {
            let activation = try XCTUnwrap(Activation.allCases.first { "\($0)" == c.name })
            let input = try c.tensor("input")
            let kernel = try EltwiseKernel(activation, count: input.count)
            var output = [Float](repeating: .nan, count: input.count)
            try kernel.forward(input: input, output: &output)
            try c.expect(output, "output")
            var gradInput = [Float](repeating: .nan, count: input.count)
            try kernel.backward(gradOutput: try c.tensor("grad_output"), saved: activation.backwardUsesOutput ? output : input,
                                gradInput: &gradInput)
            try c.expect(gradInput, "grad_input")
        }
    }

    func testSoftmax() throws {
        for c in try loadCases("softmax") {
            let kernel = try SoftmaxKernel(rows: try c.int("rows"), columns: try c.int("columns"))
            let input = try c.tensor("input")
            var output = [Float](repeating: .nan, count: input.count)
            try kernel.forward(input: input, output: &output)
            try c.expect(output, "output")
            var gradInput = [Float](repeating: .nan, count: input.count)
            try kernel.backward(gradOutput: try c.tensor("grad_output"), output: output, gradInput: &gradInput)
            try c.expect(gradInput, "grad_input")
        }
    }
}
