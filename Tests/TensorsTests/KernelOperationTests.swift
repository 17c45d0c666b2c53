import Foundation
import Randomness
@testable import Tensors
import TestSupport
import XCTest

/// The autodiff operations that wrap the oneDNN kernels, checked through the Tensor API.
final class KernelOperationTests: XCTestCase {
    /// Values at least `margin` away from every point in `kinks` (where the derivative jumps).
    func awayFrom(_ kinks: [Float], _ tensor: Tensor, margin: Float = 0.1) -> Tensor {
        try! Tensor(shape: tensor.shape, scalars: tensor.scalars.map { value in
            var moved = value
            for kink in kinks where abs(moved - kink) < margin { moved = kink + (moved < kink ? -margin : margin) }
            return moved
        })
    }

    func testConv2dForwardMatchesReferenceAndGradientsMatchFiniteDifferences() {
        let input = randomTensor([2, 5, 6, 4], seed: 61)
        let weight = randomTensor([6, 2, 3, 3], seed: 62, standardDeviation: 0.5)
        let bias = randomTensor([6], seed: 63)
        let padding = Padding2D(top: 0, bottom: 1, left: 1, right: 1)
        let output = conv2d(input, weight: weight, bias: bias, stride: 2, padding: padding, groups: 2)
        let geometry = Convolution2DGeometry(batch: 2, inputHeight: 5, inputWidth: 6, inputChannels: 4, outputChannels: 6,
                                             window: Window2D(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                                              padding: padding), groups: 2)
        XCTAssertEqual(output.shape, [2, 2, 3, 6])  // height (5 + 0 + 1 - 3) / 2 + 1, width (6 + 2 - 3) / 2 + 1
        assertClose(output.scalars, ConvolutionReference.forward(geometry, input: input.scalars.doubles,
                                                                 weights: weight.scalars.doubles, bias: bias.scalars.doubles),
                    "conv2d forward")
        assertGradientsMatchFiniteDifferences([input, weight, bias]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: padding, groups: 2)
        }
        assertGradientsMatchFiniteDifferences([input, weight]) {
            conv2d($0[0], weight: $0[1], padding: Padding2D(2), dilation: 2, groups: 2)
        }
    }

    func testConv2dWithActivationFusesInInferenceAndDifferentiatesInTraining() {
        let input = randomTensor([2, 5, 5, 3], seed: 81, standardDeviation: 3)
        let weight = randomTensor([4, 3, 3, 3], seed: 82), bias = randomTensor([4], seed: 83)
        let linear = Tensor.withoutGradients { conv2d(input, weight: weight, bias: bias, padding: Padding2D(1)) }
        XCTAssertTrue(linear.scalars.contains { $0 > 6 } && linear.scalars.contains { $0 < 0 })
        let fused = Tensor.withoutGradients {
            conv2d(input, weight: weight, bias: bias, padding: Padding2D(1), activation: .relu6)
        }
        assertTensor(fused, equals: linear.scalars.map { min(max($0, 0), 6) }, shape: linear.shape, accuracy: 1e-5)
        let input2 = randomTensor([1, 4, 4, 2], seed: 84)
        assertGradientsMatchFiniteDifferences([input2, randomTensor([3, 2, 3, 3], seed: 85)], step: 1e-3) {
            conv2d($0[0], weight: $0[1], padding: Padding2D(1), activation: .relu)
        }
    }

    /// Training fuses ReLU, ReLU6, the sigmoid and tanh into the convolution (post-op forward, the
    /// gradient computed from the output); its output and the gradients of input, weight and bias
    /// must be the separate activation's, on pre-activations on both sides of each kink (below 0,
    /// above 6).
    func testConv2dWithAnActivationFusedInTrainingHasTheSeparateActivationsValuesAndGradients() {
        let shapes: [(kernelSize: Int, stride: Int, padding: Padding2D, channels: (Int, Int))] = [
            (3, 1, Padding2D(1), (8, 16)), (1, 1, .zero, (16, 32)), (3, 2, Padding2D(top: 0, bottom: 1, left: 0, right: 1), (8, 8)),
        ]
        for (kernelSize, stride, padding, channels) in shapes {
            let input = randomTensor([2, 6, 6, channels.0], seed: 101, standardDeviation: 3)
            let weight = randomTensor([channels.1, channels.0, kernelSize, kernelSize], seed: 102)
            let bias = randomTensor([channels.1], seed: 103)
            let linear = Tensor.withoutGradients { conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding) }
            XCTAssertTrue(linear.scalars.contains { $0 > 6 } && linear.scalars.contains { $0 < 0 }
                              && linear.scalars.contains { $0 > 0 && $0 < 6 }, "pre-activations on every side of the kinks")
            var generator = SeededGenerator(seed: 104)
            let projection = Tensor.randomUniform(linear.shape, lowerBound: -1, upperBound: 1, generator: &generator)
            let activations: [(Activation, (Tensor) -> Tensor)] = [(.relu, { relu($0) }), (.relu6, { relu6($0) }),
                                                                   (.sigmoid, { sigmoid($0) }), (.tanh, { tanh($0) })]
            for (activation, separate) in activations {
                func outputAndGradients(fused: Bool) -> (output: Tensor, gradients: [Tensor?]) {
                    let leaves = [input, weight, bias].map { $0.requiringGradient() }
                    let output = fused
                        ? conv2d(leaves[0], weight: leaves[1], bias: leaves[2], stride: stride, padding: padding, activation: activation)
                        : separate(conv2d(leaves[0], weight: leaves[1], bias: leaves[2], stride: stride, padding: padding))
                    (output * projection).sum().backward()
                    return (output, leaves.map(\.gradient))
                }
                let fused = outputAndGradients(fused: true), expected = outputAndGradients(fused: false)
                let context = "\(activation), \(kernelSize)x\(kernelSize) stride \(stride)"
                // The clamps are exact either way; the post-op's exponentials may round differently.
                let outputAccuracy: Float = activation == .relu || activation == .relu6 ? 0 : 1e-6
                assertTensor(fused.output, equals: expected.output.scalars, shape: expected.output.shape, accuracy: outputAccuracy)
                for (name, (actual, reference)) in zip(["input", "weight", "bias"], zip(fused.gradients, expected.gradients)) {
                    guard let actual, let reference else { return XCTFail("\(context): no \(name) gradient") }
                    let scale = reference.scalars.map(abs).max() ?? 1
                    assertTensor(actual, equals: reference.scalars, shape: reference.shape, accuracy: 1e-5 * max(1, scale))
                }
            }
        }
    }

    /// The fused activation's backward pass overwrites the output gradient only where nothing else
    /// holds it: the sum of two fused convolutions hands both the same gradient storage, and each
    /// must still get its own masked copy (masking in place would zero the other's gradient).
    func testFusedConv2dActivationsSharingAnOutputGradientEachGetTheirOwnMask() {
        let inputs = [randomTensor([2, 5, 5, 4], seed: 111, standardDeviation: 3), randomTensor([2, 5, 5, 4], seed: 112, standardDeviation: 3)]
        let weights = [randomTensor([8, 4, 3, 3], seed: 113), randomTensor([8, 4, 3, 3], seed: 114)]
        func gradients(fused: Bool) -> [[Float]] {
            let leaves = (inputs + weights).map { $0.requiringGradient() }
            let sum = fused
                ? conv2d(leaves[0], weight: leaves[2], padding: Padding2D(1), activation: .relu)
                    + conv2d(leaves[1], weight: leaves[3], padding: Padding2D(1), activation: .relu6)
                : relu(conv2d(leaves[0], weight: leaves[2], padding: Padding2D(1)))
                    + relu6(conv2d(leaves[1], weight: leaves[3], padding: Padding2D(1)))
            (sum * sum).sum().backward()
            return leaves.map { $0.gradient?.scalars ?? [] }
        }
        for (index, (actual, expected)) in zip(gradients(fused: true), gradients(fused: false)).enumerated() {
            let scale = max(1, expected.map(abs).max() ?? 1)
            XCTAssertEqual(actual.count, expected.count, "leaf \(index)")
            for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-5 * scale, "leaf \(index)") }
        }
    }

    func testConv2dAddingAResidualThenGELUFusesInInferenceAndDifferentiatesInTraining() {
        // 1x1 and 3x3 direct, and a 3x3 layer wide enough for Winograd (its blocked output and the NHWC residual).
        for (kernelSize, padding, channels) in [(1, Padding2D.zero, (16, 32)), (3, Padding2D(1), (16, 32)), (3, Padding2D(1), (64, 64))] {
            let input = randomTensor([2, 5, 5, channels.0], seed: 91, standardDeviation: 2)
            let weight = randomTensor([channels.1, channels.0, kernelSize, kernelSize], seed: 92)
            let bias = randomTensor([channels.1], seed: 93)
            let residual = randomTensor([2, 5, 5, channels.1], seed: 94, standardDeviation: 2)
            let linear = Tensor.withoutGradients { conv2d(input, weight: weight, bias: bias, padding: padding) }
            let fused = Tensor.withoutGradients {
                conv2d(input, weight: weight, bias: bias, padding: padding, adding: residual, activation: .gelu)
            }
            let expected = zip(linear.scalars, residual.scalars).map { sum, skip -> Float in
                let x = Double(sum + skip)
                return Float(0.5 * x * (1 + erf(x / 2.0.squareRoot())))
            }
            // Within 1e-5 of the largest value: Winograd and direct round differently.
            let accuracy = 1e-5 * max(1, expected.map(abs).max() ?? 1)
            assertTensor(fused, equals: expected, shape: linear.shape, accuracy: accuracy)
            let plainSum = Tensor.withoutGradients { conv2d(input, weight: weight, padding: padding, adding: residual) }
            let unbiased = Tensor.withoutGradients { conv2d(input, weight: weight, padding: padding) }
            assertTensor(plainSum, equals: zip(unbiased.scalars, residual.scalars).map(+), shape: linear.shape,
                         accuracy: accuracy)
        }
        let small = randomTensor([1, 4, 4, 2], seed: 95)
        assertGradientsMatchFiniteDifferences([small, randomTensor([3, 2, 3, 3], seed: 96), randomTensor([1, 4, 4, 3], seed: 97)],
                                              step: 1e-3) {
            conv2d($0[0], weight: $0[1], padding: Padding2D(1), adding: $0[2], activation: .gelu)
        }
    }

    func testConv2dGivesGradientOnlyToInputsThatNeedOne() {
        let input = randomTensor([1, 4, 4, 3], seed: 64).requiringGradient()
        let weight = randomTensor([2, 3, 3, 3], seed: 65)
        let bias = randomTensor([2], seed: 66)
        conv2d(input, weight: weight, bias: bias, padding: Padding2D(1)).sum().backward()
        XCTAssertEqual(input.gradient?.shape, [1, 4, 4, 3])
        XCTAssertNil(weight.gradient)
        // d(sum)/d(input) at a center pixel is the sum of all weights touching it: every tap.
        let center: Float = input.gradient!.scalars[((1 * 4) + 1) * 3]
        let weights: [Float] = weight.scalars
        var expected: Float = 0
        for o in 0..<2 { for tap in 0..<9 { expected += weights[o * 27 + tap] } }
        XCTAssertEqual(center, expected, accuracy: 1e-5)
    }

    func testTransposedConv2dForwardAndGradients() {
        let input = randomTensor([1, 3, 3, 4], seed: 67)
        let weight = randomTensor([4, 3, 3, 3], seed: 68, standardDeviation: 0.5)
        let bias = randomTensor([6], seed: 69)
        let output = transposedConv2d(input, weight: weight, bias: bias, stride: 2, padding: Padding2D(1), outputPadding: 1,
                                      groups: 2)
        XCTAssertEqual(output.shape, [1, 6, 6, 6])
        let geometry = Convolution2DGeometry(batch: 1, inputHeight: 3, inputWidth: 3, inputChannels: 4, outputChannels: 6,
                                             window: Window2D(kernel: 3, stride: 2, padding: 1), groups: 2)
        assertClose(output.scalars, ConvolutionReference.transposedForward(
            geometry, outputHeight: 6, outputWidth: 6, input: input.scalars.doubles, weights: weight.scalars.doubles,
            bias: bias.scalars.doubles), "transposedConv2d forward")
        assertGradientsMatchFiniteDifferences([input, weight, bias]) {
            transposedConv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: Padding2D(1), outputPadding: 1, groups: 2)
        }
    }

    func testPoolingGradients() {
        // Distinct values 0.1 apart, so finite differences never cross a change of arg-max.
        var generator = SeededGenerator(seed: 70)
        let ordered: [Float] = (0..<180).map { Float($0) * 0.1 - 9 }
        let values = ordered.shuffled(using: &generator)
        let input = try! Tensor(shape: [2, 5, 6, 3], scalars: values)
        XCTAssertEqual(maxPool2d(input, kernelSize: 3, stride: 2, padding: Padding2D(1)).shape, [2, 3, 3, 3])
        assertGradientsMatchFiniteDifferences([input], step: 1e-2) {
            maxPool2d($0[0], kernelSize: 3, stride: 2, padding: Padding2D(1))
        }
        for includePadding in [true, false] {
            assertGradientsMatchFiniteDifferences([input]) {
                avgPool2d($0[0], kernelSize: 3, stride: 2, padding: Padding2D(1), countIncludePadding: includePadding)
            }
        }
        assertGradientsMatchFiniteDifferences([input]) { globalAvgPool2d($0[0]) }
    }

    func testGlobalAvgPoolAveragesEachChannel() {
        let input = try! Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        assertTensor(globalAvgPool2d(input), equals: [2.5, 25], shape: [1, 2])
    }

    func testMaxPoolPicksWindowMaximum() {
        let input = try! Tensor(shape: [1, 2, 4, 1], scalars: [1, 5, 2, 0, 3, -1, 7, 6])
        assertTensor(maxPool2d(input, kernelSize: 2), equals: [5, 7], shape: [1, 1, 2, 1])
    }

    func testBatchNormTrainingUpdatesStatisticsAndDifferentiates() {
        let input = randomTensor([2, 3, 2, 3], seed: 71, mean: 1, standardDeviation: 2)
        let scale = randomTensor([3], seed: 72), shift = randomTensor([3], seed: 73)
        let statistics = BatchNormStatistics(channels: 3, momentum: 0.1)
        _ = batchNorm(input, scale: scale, shift: shift, statistics: statistics, isTraining: true)
        let values = input.scalars
        for channel in 0..<3 {
            let channelValues = stride(from: channel, to: values.count, by: 3).map { Double(values[$0]) }
            let mean = channelValues.reduce(0, +) / 12
            let unbiased = channelValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 11
            XCTAssertEqual(Double(statistics.mean.scalars[channel]), 0.1 * mean, accuracy: 1e-5)
            XCTAssertEqual(Double(statistics.variance.scalars[channel]), 0.9 + 0.1 * unbiased, accuracy: 1e-5)
        }
        assertGradientsMatchFiniteDifferences([input, scale, shift], step: 1e-2) {
            batchNorm($0[0], scale: $0[1], shift: $0[2], statistics: BatchNormStatistics(channels: 3), isTraining: true)
        }
    }

    func testBatchNormInferenceUsesRunningStatisticsAndDifferentiates() {
        let input = randomTensor([2, 2, 2, 3], seed: 74)
        let scale = randomTensor([3], seed: 75), shift = randomTensor([3], seed: 76)
        let statistics = BatchNormStatistics(channels: 3)
        statistics.mean = try! Tensor(shape: [3], scalars: [0.5, -1, 0])
        statistics.variance = try! Tensor(shape: [3], scalars: [4, 0.25, 1])
        let output = batchNorm(input, scale: scale, shift: shift, statistics: statistics, isTraining: false, epsilon: 0.01)
        let expected = input.scalars.indices.map { i -> Float in
            let c = i % 3
            return scale.scalars[c] * (input.scalars[i] - statistics.mean.scalars[c])
                / (statistics.variance.scalars[c] + 0.01).squareRoot() + shift.scalars[c]
        }
        assertTensor(output, equals: expected, shape: [2, 2, 2, 3], accuracy: 1e-5)
        XCTAssertEqual(statistics.mean.scalars, [0.5, -1, 0], "inference must not update the running statistics")
        assertGradientsMatchFiniteDifferences([input, scale, shift]) {
            batchNorm($0[0], scale: $0[1], shift: $0[2], statistics: statistics, isTraining: false, epsilon: 0.01)
        }
    }

    func testLayerNormGradients() {
        let input = randomTensor([2, 3, 3, 5], seed: 77, standardDeviation: 2)
        let scale = randomTensor([5], seed: 78), shift = randomTensor([5], seed: 79)
        let output = Tensor.withoutGradients { layerNorm(input, scale: Tensor(shape: [5], repeating: 1),
                                                         shift: Tensor(shape: [5], repeating: 0)) }
        for row in 0..<18 {
            let values = output.scalars[(row * 5)..<(row * 5 + 5)]
            XCTAssertEqual(values.reduce(0, +) / 5, 0, accuracy: 1e-5, "row \(row) mean")
            XCTAssertEqual(values.reduce(0) { $0 + $1 * $1 } / 5, 1, accuracy: 1e-3, "row \(row) variance")
        }
        assertGradientsMatchFiniteDifferences([input, scale, shift]) { layerNorm($0[0], scale: $0[1], shift: $0[2]) }
    }

    func testActivationGradients() {
        let input = randomTensor([3, 4, 5], seed: 80, standardDeviation: 4)
        assertGradientsMatchFiniteDifferences([awayFrom([0], input)]) { relu($0[0]) }
        assertGradientsMatchFiniteDifferences([awayFrom([0, 6], input)]) { relu6($0[0]) }
        assertGradientsMatchFiniteDifferences([input]) { gelu($0[0]) }
        assertGradientsMatchFiniteDifferences([input]) { silu($0[0]) }
        assertGradientsMatchFiniteDifferences([input]) { sigmoid($0[0]) }
        assertGradientsMatchFiniteDifferences([input]) { tanh($0[0]) }
        assertTensor(relu6(try! Tensor(shape: [4], scalars: [-2, 3, 7, 0.5])), equals: [0, 3, 6, 0.5], shape: [4])
        assertTensor(sigmoid(try! Tensor(shape: [1], scalars: [0])), equals: [0.5], shape: [1])
        assertTensor(tanh(try! Tensor(shape: [3], scalars: [0, 20, -20])), equals: [0, 1, -1], shape: [3])
    }
}
