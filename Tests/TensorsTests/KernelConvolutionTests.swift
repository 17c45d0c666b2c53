@testable import Tensors
import Foundation
import TestSupport
import XCTest

final class KernelConvolutionTests: XCTestCase {
    /// Small geometries covering stride, padding, dilation, groups, depthwise, asymmetric padding.
    static let geometries: [(String, Convolution2DGeometry)] = [
        ("3x3 s1 p1 bias", .init(batch: 2, inputHeight: 5, inputWidth: 6, inputChannels: 3, outputChannels: 4,
                                 window: .init(kernel: 3, padding: 1))),
        ("3x3 s2 p1 no bias", .init(batch: 2, inputHeight: 7, inputWidth: 6, inputChannels: 3, outputChannels: 5,
                                    window: .init(kernel: 3, stride: 2, padding: 1), hasBias: false)),
        ("3x3 d2 p2", .init(batch: 1, inputHeight: 7, inputWidth: 7, inputChannels: 2, outputChannels: 3,
                            window: .init(kernel: 3, padding: 2, dilation: 2))),
        ("groups 2", .init(batch: 2, inputHeight: 5, inputWidth: 5, inputChannels: 4, outputChannels: 6,
                           window: .init(kernel: 3, padding: 1), groups: 2)),
        ("depthwise x2 s2", .init(batch: 2, inputHeight: 6, inputWidth: 6, inputChannels: 4, outputChannels: 8,
                                  window: .init(kernel: 3, stride: 2, padding: 1), groups: 4)),
        ("asymmetric same s2", .init(batch: 1, inputHeight: 6, inputWidth: 7, inputChannels: 3, outputChannels: 2,
                                     window: .init(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                                   padding: .init(top: 0, bottom: 1, left: 1, right: 1)))),
        ("3x2 s(2,1) 1x1-like", .init(batch: 2, inputHeight: 5, inputWidth: 4, inputChannels: 3, outputChannels: 2,
                                      window: .init(kernelHeight: 3, kernelWidth: 2, strideY: 2, strideX: 1))),
        ("depthwise 48 s2 asymmetric bias (vector paths)",
         .init(batch: 2, inputHeight: 6, inputWidth: 5, inputChannels: 48, outputChannels: 48,
               window: .init(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                             padding: .init(top: 0, bottom: 1, left: 1, right: 0)), groups: 48)),
        ("depthwise 5 d2 (scalar path)", .init(batch: 1, inputHeight: 6, inputWidth: 6, inputChannels: 5, outputChannels: 5,
                                               window: .init(kernel: 3, padding: 2, dilation: 2), groups: 5)),
        // Kernels wider than the image (EfficientNet-Lite0's 5x5 stride-2 blocks on 32-pixel cell crops).
        ("depthwise 5x5 s2 p2 on 1x1", .init(batch: 3, inputHeight: 1, inputWidth: 1, inputChannels: 16, outputChannels: 16,
                                              window: .init(kernel: 5, stride: 2, padding: 2), groups: 16)),
        ("depthwise 5x5 s2 p2 on 2x3", .init(batch: 2, inputHeight: 2, inputWidth: 3, inputChannels: 16, outputChannels: 16,
                                              window: .init(kernel: 5, stride: 2, padding: 2), groups: 16)),
        ("1x1", .init(batch: 2, inputHeight: 3, inputWidth: 3, inputChannels: 5, outputChannels: 3,
                      window: .init(kernel: 1))),
        ("1x1 no bias", .init(batch: 3, inputHeight: 2, inputWidth: 3, inputChannels: 4, outputChannels: 6,
                              window: .init(kernel: 1), hasBias: false)),
        ("1x1 s2 (not pointwise)", .init(batch: 1, inputHeight: 5, inputWidth: 5, inputChannels: 3, outputChannels: 2,
                                         window: .init(kernel: 1, stride: 2))),
    ]

    func testForwardMatchesReferenceInBothActivationLayouts() throws {
        for (label, geometry) in Self.geometries {
            let input = randomFloats(geometry.inputCount, seed: 1)
            let weights = randomFloats(geometry.weightCount, seed: 2)
            let bias = geometry.hasBias ? randomFloats(geometry.outputChannels, seed: 3) : nil
            let expected = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles,
                                                        bias: bias?.doubles)
            for layout in [ConvolutionActivationLayout.nhwc, .primitivePreferred, .fastest] {
                let kernel = try Convolution2DKernel(geometry, activationLayout: layout)
                var output = [Float](repeating: .nan, count: kernel.outputCount)
                try kernel.forward(input: input, weights: weights, bias: bias, output: &output)
                assertClose(output, expected, "\(label) \(layout)")
            }
        }
    }

    func testBackwardMatchesFiniteDifferencesOfReference() throws {
        for (index, (label, geometry)) in Self.geometries.enumerated() {
            // Alternate layouts so every geometry's backward passes run in one of them.
            let layouts: [ConvolutionActivationLayout] = [.nhwc, .primitivePreferred, .fastest]
            let kernel = try Convolution2DKernel(geometry, activationLayout: layouts[index % 3])
            let input = randomFloats(geometry.inputCount, seed: 4)
            let weights = randomFloats(geometry.weightCount, seed: 5)
            let bias = geometry.hasBias ? randomFloats(geometry.outputChannels, seed: 6) : nil
            let gradOutput = randomFloats(kernel.outputCount, seed: 7)
            let upstream = gradOutput.doubles

            var gradInput = [Float](repeating: .nan, count: geometry.inputCount)
            try kernel.backwardData(gradOutput: gradOutput, weights: weights, gradInput: &gradInput)
            let expectedGradInput = numericalGradient(at: input.doubles) {
                dot(ConvolutionReference.forward(geometry, input: $0, weights: weights.doubles, bias: bias?.doubles), upstream)
            }
            assertClose(gradInput, expectedGradInput, "\(label) grad input")

            var gradWeights = [Float](repeating: .nan, count: geometry.weightCount)
            var gradBias = [Float](repeating: .nan, count: geometry.outputChannels)
            try gradBias.withUnsafeMutableBufferPointer { gradBiasBuffer in
                try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: &gradWeights,
                                           gradBias: geometry.hasBias ? gradBiasBuffer.baseAddress : nil)
            }
            let expectedGradWeights = numericalGradient(at: weights.doubles) {
                dot(ConvolutionReference.forward(geometry, input: input.doubles, weights: $0, bias: bias?.doubles), upstream)
            }
            assertClose(gradWeights, expectedGradWeights, "\(label) grad weights")
            if let bias {
                let expectedGradBias = numericalGradient(at: bias.doubles) {
                    dot(ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: $0), upstream)
                }
                assertClose(gradBias, expectedGradBias, "\(label) grad bias")
            }
        }
    }

    func testInferenceFusesReLU6() throws {
        let geometry = Self.geometries[0].1
        let kernel = try Convolution2DKernel(geometry)
        let input = randomFloats(geometry.inputCount, seed: 8).map { $0 * 4 }
        let weights = randomFloats(geometry.weightCount, seed: 9)
        let bias = randomFloats(geometry.outputChannels, seed: 10)
        let plain = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: bias.doubles)
        XCTAssertTrue(plain.contains { $0 > 6 } && plain.contains { $0 < 0 }, "test data must exercise both clip bounds")
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forwardInference(input: input, weights: weights, bias: bias, output: &output, activation: .relu6)
        assertClose(output, plain.map { min(max($0, 0), 6) }, "relu6")
        try kernel.forwardInference(input: input, weights: weights, bias: bias, output: &output, activation: .relu)
        assertClose(output, plain.map { max($0, 0) }, "relu")
    }

    func testNewWeightsVersionIsUsed() throws {
        let geometry = Convolution2DGeometry(batch: 2, inputHeight: 8, inputWidth: 8, inputChannels: 16, outputChannels: 32,
                                             window: .init(kernel: 3, padding: 1))
        let kernel = try Convolution2DKernel(geometry)
        let input = randomFloats(geometry.inputCount, seed: 11)
        var weights = randomFloats(geometry.weightCount, seed: 12)
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        for version in 0..<3 {
            try kernel.forward(input: input, weights: weights, weightsVersion: WeightsVersion(owner: 7, version: UInt64(version)),
                               bias: [Float](repeating: 0.5, count: 32), output: &output)
            let expected = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles,
                                                        bias: [Double](repeating: 0.5, count: 32))
            assertClose(output, expected, "version \(version)")
            weights = weights.map { $0 * -0.5 }
        }
    }

    func testInvalidGeometriesNameTheConvolution() {
        let cases: [(Convolution2DGeometry, String)] = [
            (.init(batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 3, outputChannels: 4,
                   window: .init(kernel: 3), groups: 2), "not divisible by groups 2"),
            (.init(batch: 1, inputHeight: 2, inputWidth: 2, inputChannels: 3, outputChannels: 4,
                   window: .init(kernel: 5)), "output would be -2x-2"),
            (.init(batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 3, outputChannels: 4,
                   window: .init(kernel: 3, stride: 0)), "stride 0x0 must be positive"),
        ]
        for (geometry, reason) in cases {
            XCTAssertThrowsError(try Convolution2DKernel(geometry)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("convolution "), text)
                XCTAssertTrue(text.contains(reason), text)
            }
        }
    }

    func testMissingBiasIsRejected() throws {
        let geometry = Self.geometries[0].1
        let kernel = try Convolution2DKernel(geometry)
        var output = [Float](repeating: 0, count: kernel.outputCount)
        XCTAssertThrowsError(try kernel.forward(input: randomFloats(geometry.inputCount, seed: 1),
                                                weights: randomFloats(geometry.weightCount, seed: 2), bias: nil,
                                                output: &output)) { error in
            XCTAssertEqual("\(error)", "convolution forward 3x3 s1 p1 2x3x5x6 -> 4: invalid geometry: "
                           + "the geometry has a bias but no bias buffer was given")
        }
    }
}

final class KernelCachingAndConcurrencyTests: XCTestCase {
    let geometry = Convolution2DGeometry(batch: 2, inputHeight: 8, inputWidth: 8, inputChannels: 16, outputChannels: 32,
                                         window: .init(kernel: 3, padding: 1), hasBias: false)

    func testReorderedWeightsAreReusedUntilTheVersionChanges() throws {
        let kernel = try Convolution2DKernel(geometry)
        let reorders = try DNNLContext.withShared { try kernel.primitives.plan(.forwardTraining, context: $0).reordersArguments }
        try XCTSkipUnless(reorders, "oneDNN uses the PyTorch weight layout directly here, nothing to cache")
        let input = randomFloats(geometry.inputCount, seed: 13)
        var weights = randomFloats(geometry.weightCount, seed: 14)
        let original = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: nil)
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try weights.withUnsafeMutableBufferPointer { buffer in
            let pointer = UnsafePointer(buffer.baseAddress!)
            try kernel.forward(input: input, weights: pointer, weightsVersion: WeightsVersion(owner: 99, version: 1),
                               bias: nil, output: &output)
            for index in buffer.indices { buffer[index] *= 2 }
            // Same owner, version and pointer: the cached reordered copy (old values) is used.
            try kernel.forward(input: input, weights: pointer, weightsVersion: WeightsVersion(owner: 99, version: 1),
                               bias: nil, output: &output)
            assertClose(output, original, "same version")
            try kernel.forward(input: input, weights: pointer, weightsVersion: WeightsVersion(owner: 99, version: 2),
                               bias: nil, output: &output)
            assertClose(output, original.map { $0 * 2 }, "new version")
        }
    }

    func testConcurrentCallsFromTwoThreadsGiveTheSameResults() throws {
        let kernel = try Convolution2DKernel(geometry)
        let inputs = (0..<4).map { randomFloats(geometry.inputCount, seed: 100 + UInt64($0)) }
        let weights = randomFloats(geometry.weightCount, seed: 15)
        let expected = inputs.map { ConvolutionReference.forward(geometry, input: $0.doubles, weights: weights.doubles, bias: nil) }
        let results = UnsafeMutablePointer<[Float]>.allocate(capacity: 4)
        results.initialize(repeating: [], count: 4)
        defer { results.deinitialize(count: 4); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try? kernel.forward(input: inputs[index], weights: weights, bias: nil, output: &output)
            results[index] = output
        }
        for index in 0..<4 { assertClose(results[index], expected[index], "thread result \(index)") }
    }
}
