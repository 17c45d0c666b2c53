@testable import Tensors
import TestSupport
import XCTest

/// The engine's own Winograd F(4x4, 3x3) inference kernel (`WinogradConvolution`), which runs where
/// oneDNN has no Winograd kernel: against Double references and forced direct convolution, with
/// partial tiles, both paddings, fused residual and activations, several blocks of tiles, and its
/// cache of transformed weights.
final class KernelEngineWinogradTests: XCTestCase {
    private static func threeByThree(channels: (Int, Int), size: (Int, Int), padding: Int = 1,
                                     batch: Int = 2) -> Convolution2DGeometry {
        Convolution2DGeometry(batch: batch, inputHeight: size.0, inputWidth: size.1, inputChannels: channels.0,
                              outputChannels: channels.1, window: Window2D(kernel: 3, padding: padding))
    }

    /// The kernel the static rule makes for `geometry`, skipping where oneDNN's own Winograd runs instead.
    private func engineWinogradKernel(_ geometry: Convolution2DGeometry) throws -> Convolution2DKernel {
        guard !ConvolutionAlgorithm.winogradIsAvailable else {
            throw XCTSkip("oneDNN \(OneDNNLibrary.version) has Winograd kernels here; the engine's is not used")
        }
        let kernel = try Convolution2DKernel(geometry)
        let implementation = try kernel.implementation(of: .forwardInference)
        XCTAssertTrue(implementation.hasPrefix("swift winograd_4x3"), implementation)
        return kernel
    }

    /// Rounding of F(4x4, 3x3) scales with the largest output, not with each one (sums cancel):
    /// within 1e-5 of it, as oneDNN 2.6's Winograd against direct convolution.
    private func tolerance(_ reference: [Double]) -> Tolerance {
        .elementwise(1e-5 * max(1, reference.map(abs).max() ?? 1))
    }

    /// Output sizes that are not multiples of 4 (partial last tiles), padding 1 and 0, with bias.
    func testMatchesTheDoubleReferenceWithPartialTilesAndEitherPadding() throws {
        for geometry in [Self.threeByThree(channels: (64, 80), size: (9, 10)),
                         Self.threeByThree(channels: (80, 64), size: (7, 13), padding: 0)] {
            let kernel = try engineWinogradKernel(geometry)
            let (input, weights, bias) = randomOperands(geometry, seed: 11)
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try kernel.forwardInference(input: input, weights: weights, bias: bias, output: &output)
            let reference = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles,
                                                         bias: bias.doubles)
            assertClose(output, reference, "engine Winograd \(geometry.shortDescription)", tolerance: tolerance(reference))
            XCTAssertNotEqual(output, try directOutput(geometry, input: input, weights: weights, bias: bias),
                              "the result is Winograd's own rounding, not a direct convolution's")
        }
    }

    /// Residual added before the activation, then ReLU or ReLU6, as oneDNN's post-ops do.
    func testFusesTheResidualAndTheActivation() throws {
        let geometry = Self.threeByThree(channels: (64, 64), size: (6, 6))
        let kernel = try engineWinogradKernel(geometry)
        let (unscaled, weights, bias) = randomOperands(geometry, seed: 21)
        let input = unscaled.map { $0 * 3 }, residual = randomFloats(kernel.outputCount, seed: 24)
        let sum = zip(ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: bias.doubles),
                      residual).map { $0 + Double($1) }
        for (activation, function) in [(Activation.relu, { (x: Double) in max(x, 0) }),
                                       (.relu6, { (x: Double) in min(max(x, 0), 6) })] {
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try kernel.forwardInference(input: input, weights: weights, bias: bias, residual: residual, output: &output,
                                        activation: activation)
            let expected = sum.map(function)
            XCTAssertTrue(expected.contains(0) && (activation != .relu6 || expected.contains(6)), "both bounds are reached")
            assertClose(output, expected, "engine Winograd + residual + \(activation)", tolerance: tolerance(sum))
        }
    }

    /// 512 tiles run in two blocks (448 tiles, then 64 and zero padding) and agree with direct convolution.
    func testSeveralBlocksOfTilesAgreeWithDirectConvolution() throws {
        let geometry = Self.threeByThree(channels: (64, 64), size: (64, 64))
        let kernel = try engineWinogradKernel(geometry)
        let (input, weights, bias) = randomOperands(geometry, seed: 31)
        let winograd = try DNNLContext.withShared {
            try WinogradConvolution(geometry, outputHeight: 64, outputWidth: 64, name: "test", context: $0)
        }
        XCTAssertEqual(winograd.tileCount, 512)
        XCTAssertEqual(winograd.tilesPerBlock, 448, "8 MiB / (36 positions x 128 channels x 4 bytes), in 16s")
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forwardInference(input: input, weights: weights, bias: bias, output: &output)
        let direct = try directOutput(geometry, input: input, weights: weights, bias: bias).doubles
        assertClose(output, direct, "engine Winograd in two blocks vs direct", tolerance: tolerance(direct))
    }

    /// Transformed weights are kept while the `WeightsVersion` is unchanged and made anew when it changes.
    func testTransformedWeightsAreKeptUntilTheVersionChanges() throws {
        let geometry = Self.threeByThree(channels: (64, 64), size: (5, 5))
        let kernel = try engineWinogradKernel(geometry)
        let (input, initialWeights, bias) = randomOperands(geometry, seed: 41)
        var weights = initialWeights.map { $0 }  // a buffer of its own, changed in place below
        let owner = UInt64.random(in: 1 << 40 ..< 1 << 50)
        func run(version: UInt64) throws -> [Float] {
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try weights.withUnsafeBufferPointer {
                try kernel.forwardInference(input: input, weights: $0.baseAddress!,
                                            weightsVersion: WeightsVersion(owner: owner, version: version),
                                            bias: bias, output: &output)
            }
            return output
        }
        let first = try run(version: 1)
        for index in weights.indices { weights[index] = -weights[index] }  // in place: the same buffer
        XCTAssertTrue(try run(version: 1) == first, "same version and buffer: the cached transform of the old weights")
        let negated = try run(version: 2)
        let expected = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: bias.doubles)
        assertClose(negated, expected, "new version: the new weights", tolerance: tolerance(expected))
    }

    /// Two batch sizes of one layer (a full and a last partial batch) share one transformed copy of
    /// its weights, and a new version replaces it instead of adding one.
    func testBatchSizesShareOneTransformedCopyOfTheWeights() throws {
        let owner = UInt64.random(in: 1 << 40 ..< 1 << 50)
        let weights = randomFloats(Self.threeByThree(channels: (64, 64), size: (6, 6)).weightCount, seed: 52)
        for (batch, version) in [(3, UInt64(1)), (1, 1), (2, 2)] {
            var geometry = Self.threeByThree(channels: (64, 64), size: (6, 6), batch: batch)
            geometry.hasBias = false
            let kernel = try engineWinogradKernel(geometry)
            let input = randomFloats(geometry.inputCount, seed: 51)
            var output = [Float](repeating: .nan, count: kernel.outputCount)
            try kernel.forwardInference(input: input, weights: weights,
                                        weightsVersion: WeightsVersion(owner: owner, version: version), bias: nil,
                                        output: &output)
            let reference = ConvolutionReference.forward(geometry, input: input.doubles, weights: weights.doubles, bias: nil)
            assertClose(output, reference, "batch \(batch)", tolerance: tolerance(reference))
            XCTAssertEqual(try WinogradConvolution.keptWeightCopies(of: owner), 1, "batch \(batch), version \(version)")
        }
    }

    /// A caller who forces direct convolution gets oneDNN's, not the engine's Winograd.
    func testForcedDirectConvolutionDoesNotUseIt() throws {
        let geometry = Self.threeByThree(channels: (64, 64), size: (8, 8))
        let implementation = try Convolution2DKernel(geometry, algorithm: .direct).implementation(of: .forwardInference)
        XCTAssertFalse(implementation.contains("winograd"), implementation)
        XCTAssertFalse(WinogradConvolution.handles(Self.threeByThree(channels: (128, 32), size: (8, 8))),
                       "32 output channels stay direct")
        XCTAssertFalse(WinogradConvolution.handles(Self.threeByThree(channels: (72, 64), size: (8, 8))),
                       "72 input channels are not a multiple of 16")
    }

    /// Random input, weights and bias for `geometry` (seeds `seed`, `seed + 1`, `seed + 2`).
    private func randomOperands(_ geometry: Convolution2DGeometry, seed: UInt64) -> (input: [Float], weights: [Float], bias: [Float]) {
        (randomFloats(geometry.inputCount, seed: seed), randomFloats(geometry.weightCount, seed: seed + 1),
         randomFloats(geometry.outputChannels, seed: seed + 2))
    }

    private func directOutput(_ geometry: Convolution2DGeometry, input: [Float], weights: [Float],
                              bias: [Float]) throws -> [Float] {
        let direct = try Convolution2DKernel(geometry, algorithm: .direct)
        var output = [Float](repeating: .nan, count: direct.outputCount)
        try direct.forwardInference(input: input, weights: weights, bias: bias, output: &output)
        return output
    }
}
