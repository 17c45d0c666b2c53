@testable import Tensors
import TestSupport
import XCTest

/// The static direct/Winograd rule, Winograd results against Double references for every pass, and
/// the channel-blocked activation format (reorders, inference chains).
final class KernelWinogradTests: XCTestCase {
    private static func threeByThree(channels: (Int, Int), size: (Int, Int) = (6, 7), stride: Int = 1,
                                     padding: Int = 1, dilation: Int = 1, groups: Int = 1) -> Convolution2DGeometry {
        Convolution2DGeometry(batch: 2, inputHeight: size.0, inputWidth: size.1, inputChannels: channels.0,
                              outputChannels: channels.1,
                              window: Window2D(kernel: 3, stride: stride, padding: padding, dilation: dilation), groups: groups)
    }

    /// Where oneDNN has Winograd kernels (oneDNN 2.6 on AVX-512; none in oneDNN 3.2).
    private static let winogradWhereAvailable: ConvolutionAlgorithm = ConvolutionAlgorithm.winogradIsAvailable ? .winograd : .direct

    func testStaticRulePicksWinogradOnlyForWide3x3Stride1WhereTheCPUHasIt() throws {
        // Available exactly where oneDNN runs a forced Winograd layer with a Winograd kernel.
        let forced = try Convolution2DKernel(Self.threeByThree(channels: (64, 64)), algorithm: .winograd)
        XCTAssertEqual(ConvolutionAlgorithm.winogradIsAvailable, try forced.implementation(of: .forwardTraining).contains("wino"),
                       "oneDNN \(OneDNNLibrary.version) on \(OneDNNLibrary.instructionSet)")
        XCTAssertEqual(ConvolutionAlgorithm.staticChoice(for: Self.threeByThree(channels: (64, 64))), Self.winogradWhereAvailable)
        XCTAssertEqual(ConvolutionAlgorithm.staticChoice(for: Self.threeByThree(channels: (512, 128), padding: 0)),
                       Self.winogradWhereAvailable)
        let direct: [(String, Convolution2DGeometry)] = [
            ("3 input channels", Self.threeByThree(channels: (3, 64))),
            ("32 output channels", Self.threeByThree(channels: (128, 32))),
            ("stride 2", Self.threeByThree(channels: (64, 64), stride: 2)),
            ("dilation 2", Self.threeByThree(channels: (64, 64), padding: 2, dilation: 2)),
            ("padding 2", Self.threeByThree(channels: (64, 64), padding: 2)),
            ("groups 2", Self.threeByThree(channels: (64, 64), groups: 2)),
            ("5x5", Convolution2DGeometry(batch: 1, inputHeight: 8, inputWidth: 8, inputChannels: 64, outputChannels: 64,
                                          window: Window2D(kernel: 5, padding: 2))),
        ]
        for (label, geometry) in direct {
            XCTAssertEqual(ConvolutionAlgorithm.staticChoice(for: geometry), .direct, label)
            XCTAssertEqual(try Convolution2DKernel(geometry).algorithm, .direct, label)
        }
        XCTAssertThrowsError(try Convolution2DKernel(direct[2].1, algorithm: .winograd)) { error in
            XCTAssertTrue("\(error)".contains("Winograd needs a 3x3 convolution"), "\(error)")
        }
    }

    /// Forced Winograd on a small layer (odd sizes: partial 4x4 tiles) against Double references:
    /// forward, backward data (the transposed convolution of the output gradient), backward weights
    /// and bias, within 1e-4 relative (the tolerance of the PyTorch fixtures).
    func testWinogradMatchesReferenceInEveryPass() throws {
        let geometry = Self.threeByThree(channels: (24, 20))
        let kernel = try Convolution2DKernel(geometry, algorithm: .winograd)
        for pass in [ConvolutionPass.forwardTraining, .forwardInference, .backwardData, .backwardWeights] {
            let implementation = try kernel.implementation(of: pass)
            guard implementation.contains("wino") else { throw XCTSkip("no Winograd \(pass.label) here: \(implementation)") }
        }
        let input = randomFloats(geometry.inputCount, seed: 1), weights = randomFloats(geometry.weightCount, seed: 2)
        let bias = randomFloats(geometry.outputChannels, seed: 3), gradOutput = randomFloats(kernel.outputCount, seed: 4)

        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forward(input: input, weights: weights, bias: bias, output: &output)
        assertClose(output, ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles,
                                                         bias: bias.doubles), "winograd forward")
        var inferred = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forwardInference(input: input, weights: weights, bias: bias, output: &inferred, activation: .relu)
        assertClose(inferred, output.map { Double(max($0, 0)) }, "winograd inference with fused ReLU")

        var gradInput = [Float](repeating: .nan, count: geometry.inputCount)
        try kernel.backwardData(gradOutput: gradOutput, weights: weights, gradInput: &gradInput)
        var adjoint = geometry
        (adjoint.inputHeight, adjoint.inputWidth) = (kernel.outputHeight, kernel.outputWidth)
        (adjoint.inputChannels, adjoint.outputChannels) = (geometry.outputChannels, geometry.inputChannels)
        assertClose(gradInput, ConvolutionReference.transposedForward(
            adjoint, outputHeight: geometry.inputHeight, outputWidth: geometry.inputWidth, input: gradOutput.doubles,
            weights: weights.doubles, bias: nil), "winograd backward data")

        var gradWeights = [Float](repeating: .nan, count: geometry.weightCount)
        var gradBias = [Float](repeating: .nan, count: geometry.outputChannels)
        try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: &gradWeights, gradBias: &gradBias)
        assertClose(gradWeights, ConvolutionReference.weightGradient(geometry, input: input.doubles,
                                                                     gradOutput: gradOutput.doubles), "winograd weights")
        let pixels = kernel.outputCount / geometry.outputChannels
        let expectedBias = (0..<geometry.outputChannels).map { o in
            (0..<pixels).reduce(0.0) { $0 + Double(gradOutput[$1 * geometry.outputChannels + o]) }
        }
        assertClose(gradBias, expectedBias, "winograd bias")
    }

    /// Winograd layers (the static rule's choice where the CPU has them) agree with forced direct ones (within 1e-5 of each array's
    /// largest value) and repeat bit for bit.
    func testStaticWinogradAgreesWithDirectAndRepeats() throws {
        let winograd = try assertStaticWinogradAgreesWithDirect(Self.threeByThree(channels: (64, 64), size: (9, 10)))
        XCTAssertEqual(winograd.imagesPerCall, 2, "a small batch runs in one call")
    }

    /// Winograd on large images runs in sub-batches of at most `winogradPixelsPerCall` input pixels
    /// (here 4 images, then 1); the weight and bias gradients add up over them.
    func testWinogradInSubBatchesAgreesWithDirect() throws {
        var geometry = Self.threeByThree(channels: (64, 64), size: (112, 112))
        geometry.batch = 5
        let winograd = try assertStaticWinogradAgreesWithDirect(geometry)
        XCTAssertEqual(winograd.imagesPerCall, ConvolutionAlgorithm.winogradPixelsPerCall / (112 * 112))
        XCTAssertEqual(winograd.imagesPerCall, 4)
    }

    /// Checks every pass of the static-rule (Winograd) kernel against forced direct, and that a second
    /// run repeats bit for bit; returns the Winograd kernel.
    @discardableResult
    private func assertStaticWinogradAgreesWithDirect(_ geometry: Convolution2DGeometry,
                                                      file: StaticString = #filePath, line: UInt = #line) throws
        -> Convolution2DKernel {
        let winograd = try Convolution2DKernel(geometry, algorithm: .winograd)
        let direct = try Convolution2DKernel(geometry, algorithm: .direct)
        XCTAssertEqual(try Convolution2DKernel(geometry).algorithm, Self.winogradWhereAvailable, file: file, line: line)
        let input = randomFloats(geometry.inputCount, seed: 5), weights = randomFloats(geometry.weightCount, seed: 6)
        let bias = randomFloats(geometry.outputChannels, seed: 7), gradOutput = randomFloats(winograd.outputCount, seed: 8)
        func passes(_ kernel: Convolution2DKernel) throws -> [[Float]] {
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try kernel.forward(input: input, weights: weights, bias: bias, output: &output)
            var gradInput = [Float](repeating: .nan, count: geometry.inputCount)
            try kernel.backwardData(gradOutput: gradOutput, weights: weights, gradInput: &gradInput)
            var gradWeights = [Float](repeating: .nan, count: geometry.weightCount)
            var gradBias = [Float](repeating: .nan, count: geometry.outputChannels)
            try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: &gradWeights, gradBias: &gradBias)
            return [output, gradInput, gradWeights, gradBias]
        }
        let fast = try passes(winograd), reference = try passes(direct)
        for (index, label) in ["forward", "backward data", "backward weights", "bias"].enumerated() {
            // Sums over many pixels cancel: rounding scales with the largest value, not each one.
            let scale = reference[index].map { Double(abs($0)) }.max() ?? 1
            assertClose(fast[index], reference[index].doubles, "winograd vs direct \(label)",
                        tolerance: .elementwise(1e-5 * max(10, scale)),
                        file: file, line: line)
        }
        XCTAssertEqual(try passes(winograd), fast, "a second Winograd run gives the same bits", file: file, line: line)
        return winograd
    }
}
