@testable import Tensors
import TestSupport
import XCTest

/// The channel-blocked activation format: where reorders put each value, and inference chains in
/// it against the same layers on NHWC tensors.
final class ActivationFormatTests: XCTestCase {
    /// NHWC -> nChw16c puts in[n, h, w, c] at (((n * blocks + c / 16) * H + h) * W + w) * 16 + c % 16,
    /// zero in the padded channels, and the reorder back restores the input exactly.
    func testBlockedReorderPlacesEachValueAndPadsWithZeros() throws {
        let (batch, height, width, channels) = (2, 3, 4, 20)
        let input = randomFloats(batch * height * width * channels, seed: 1)
        let toBlocked = try ActivationReorderKernel(batch: batch, height: height, width: width, channels: channels,
                                                    from: .nhwc, to: .channelBlocked16)
        XCTAssertEqual(toBlocked.outputCount, batch * height * width * 32)
        var blocked = [Float](repeating: .nan, count: toBlocked.outputCount)
        try toBlocked.run(input: input, output: &blocked)
        for n in 0..<batch { for h in 0..<height { for w in 0..<width { for c in 0..<32 {
            let value = blocked[(((n * 2 + c / 16) * height + h) * width + w) * 16 + c % 16]
            let expected = c < channels ? input[((n * height + h) * width + w) * channels + c] : 0
            XCTAssertEqual(value, expected, "n\(n) h\(h) w\(w) c\(c)")
        }}}}
        let back = try ActivationReorderKernel(batch: batch, height: height, width: width, channels: channels,
                                               from: .channelBlocked16, to: .nhwc)
        var restored = [Float](repeating: .nan, count: input.count)
        try back.run(input: blocked, output: &restored)
        XCTAssertEqual(restored, input)
    }

    /// conv (direct, 3 -> 20 channels: a padded block) -> max pool -> conv (Winograd, 64 -> 64) ->
    /// conv (direct, 64 -> 8) kept channel-blocked gives the NHWC operations' result.
    func testBlockedInferenceChainMatchesNHWCOperations() throws {
        let images = try Tensor(shape: [2, 12, 10, 3], scalars: randomFloats(2 * 12 * 10 * 3, seed: 2))
        func parameters(_ shape: [Int], seed: UInt64) throws -> Tensor {
            try Tensor(shape: shape, scalars: randomFloats(shape.reduce(1, *), seed: seed).map { $0 * 0.3 })
        }
        let weights = [try parameters([20, 3, 3, 3], seed: 3), try parameters([64, 20, 3, 3], seed: 4),
                       try parameters([64, 64, 3, 3], seed: 5), try parameters([8, 64, 1, 1], seed: 6)]
        let biases = [try parameters([20], seed: 7), try parameters([64], seed: 8), try parameters([64], seed: 9), nil]
        let padding = [1, 1, 1, 0].map(Padding2D.init)

        var plain = images
        var chained = FormattedActivations(images)
        for index in weights.indices {
            plain = conv2d(plain, weight: weights[index], bias: biases[index], padding: padding[index], activation: .relu)
            chained = conv2d(chained, weight: weights[index], bias: biases[index], padding: padding[index],
                             activation: .relu, outputFormat: .channelBlocked16)
            XCTAssertEqual(chained.format, .channelBlocked16)
            if index == 0 {
                plain = maxPool2d(plain, kernelSize: 2)
                chained = maxPool2d(chained, kernelSize: 2)
            }
        }
        let result = chained.nhwc()
        XCTAssertEqual(result.shape, [2, 6, 5, 8])
        XCTAssertEqual(chained.shape, [2, 6, 5, 8])
        assertClose(result.scalars, plain.scalars.doubles, "blocked chain vs NHWC operations")
        XCTAssertGreaterThan(plain.scalars.filter { $0 > 0 }.count, plain.scalarCount / 4, "the check is not on zeros")
    }

    /// EfficientNet's inverted-residual blocks kept channel-blocked in either block size: an NHWC
    /// image into the chain (3 -> 24 channels, stride 2), expand 1x1 + ReLU6, depthwise 3x3 stride 2
    /// with TensorFlow's asymmetric "same" padding + ReLU6, project 1x1, then a block of the same
    /// width whose projection adds its input as a residual; the result equals the NHWC operations'.
    func testInvertedResidualBlocksInEitherBlockedFormatMatchNHWCOperations() throws {
        func parameters(_ shape: [Int], seed: UInt64) throws -> Tensor {
            try Tensor(shape: shape, scalars: randomFloats(shape.reduce(1, *), seed: seed).map { $0 * 0.3 })
        }
        let images = try Tensor(shape: [2, 15, 13, 3], scalars: randomFloats(2 * 15 * 13 * 3, seed: 11))
        let stem = (weight: try parameters([24, 3, 3, 3], seed: 12), bias: try parameters([24], seed: 13))
        let expand = (weight: try parameters([72, 24, 1, 1], seed: 14), bias: try parameters([72], seed: 15))
        let depthwise = (weight: try parameters([72, 1, 3, 3], seed: 16), bias: try parameters([72], seed: 17))
        let project = (weight: try parameters([20, 72, 1, 1], seed: 18), bias: try parameters([20], seed: 19))
        let expand2 = (weight: try parameters([40, 20, 1, 1], seed: 20), bias: try parameters([40], seed: 21))
        let depthwise2 = (weight: try parameters([40, 1, 3, 3], seed: 22), bias: try parameters([40], seed: 23))
        let project2 = (weight: try parameters([20, 40, 1, 1], seed: 24), bias: try parameters([20], seed: 25))
        let same = Padding2D(top: 0, bottom: 1, left: 0, right: 1)

        var x = conv2d(images, weight: stem.weight, bias: stem.bias, stride: 2, padding: same, activation: .relu6)
        x = conv2d(x, weight: expand.weight, bias: expand.bias, activation: .relu6)
        x = conv2d(x, weight: depthwise.weight, bias: depthwise.bias, stride: 2, padding: same, groups: 72, activation: .relu6)
        let plainBlock = conv2d(x, weight: project.weight, bias: project.bias)
        x = conv2d(plainBlock, weight: expand2.weight, bias: expand2.bias, activation: .relu6)
        x = conv2d(x, weight: depthwise2.weight, bias: depthwise2.bias, padding: Padding2D(1), groups: 40, activation: .relu6)
        let plain = conv2d(x, weight: project2.weight, bias: project2.bias, adding: plainBlock)
        XCTAssertEqual(plain.shape, [2, 3, 3, 20])  // 15x13 -> 7x6 -> 3x3 (stride 2, one padded row and column)

        for format in [ActivationFormat.channelBlocked16, .channelBlocked8] {
            var y = conv2d(FormattedActivations(images), weight: stem.weight, bias: stem.bias, stride: 2, padding: same,
                           activation: .relu6, outputFormat: format)
            y = conv2d(y, weight: expand.weight, bias: expand.bias, activation: .relu6, outputFormat: format)
            y = conv2d(y, weight: depthwise.weight, bias: depthwise.bias, stride: 2, padding: same, groups: 72,
                       activation: .relu6, outputFormat: format)
            let block = conv2d(y, weight: project.weight, bias: project.bias, outputFormat: format)
            y = conv2d(block, weight: expand2.weight, bias: expand2.bias, activation: .relu6, outputFormat: format)
            y = conv2d(y, weight: depthwise2.weight, bias: depthwise2.bias, padding: Padding2D(1), groups: 40,
                       activation: .relu6, outputFormat: format)
            y = conv2d(y, weight: project2.weight, bias: project2.bias, adding: block, outputFormat: format)
            XCTAssertEqual(y.format, format)
            assertClose(y.nhwc().scalars, plain.scalars.doubles, "inverted-residual blocks in \(format)")
        }
        let withoutResidual = conv2d(x, weight: project2.weight, bias: project2.bias)
        XCTAssertGreaterThan(zip(plain.scalars, withoutResidual.scalars).map { abs($0 - $1) }.max() ?? 0, 0.1,
                             "the residual is large enough to be seen")
    }
}
