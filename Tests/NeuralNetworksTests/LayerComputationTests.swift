import Foundation
import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// Layer outputs and initializations checked against hand-computed values.
final class LayerComputationTests: XCTestCase {
    func testLinearUsesTheOutByInWeight() throws {
        var generator = SeededGenerator(seed: 1)
        let linear = try Linear(inFeatures: 3, outFeatures: 2, generator: &generator)
        linear.weight.value = try Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 1])
        linear.bias?.value = Tensor([0.5, -0.5])
        let input = try Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 0, -1])
        let output = linear(input)
        XCTAssertEqual(output.shape, [2, 2])
        XCTAssertEqual(output.scalars, [6.5, -0.5, -0.5, -3.5])   // [1+2+3, -1+1] and [2-3, -2-1] plus bias
        output.sum().backward()
        // d(sum)/dW[o, i] = sum over the batch of x[i]; d/db = batch size.
        XCTAssertEqual(linear.weight.gradient?.scalars, [3, 1, 0, 3, 1, 0])
        XCTAssertEqual(linear.bias?.gradient?.scalars, [2, 2])
    }

    func testTanhLayerIsTheHyperbolicTangent() {
        let input = Tensor([-3, -0.5, 0, 0.25, 4])
        for (output, x) in zip(Tanh()(input).scalars, input.scalars) {
            XCTAssertEqual(Double(output), Foundation.tanh(Double(x)), accuracy: 1e-6, "tanh(\(x))")
        }
    }

    func testFlattenUsesPyTorchChannelMajorOrder() throws {
        // NHWC [1, 1, 2, 2]: pixel (0, 0) has channels (1, 2), pixel (0, 1) has (3, 4).
        let input = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(Flatten()(input).scalars, [1, 3, 2, 4])   // channel 0 of both pixels, then channel 1
        XCTAssertEqual(Flatten()(try Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])).shape, [2, 2])
    }

    func testAdaptiveAveragePooling() throws {
        let input = try Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 6])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 1)(input).scalars, [3])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 1)(input).shape, [1, 1, 1, 1])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 2)(input).scalars, [1, 2, 3, 6])
        let four = Tensor(shape: [1, 4, 4, 1]) { for i in $0.indices { $0[i] = Float(i) } }
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 2)(four).scalars, [2.5, 4.5, 10.5, 12.5])
        // PyTorch's overlapping windows: 3 -> 2 averages rows 0..<2 and 1..<3; 1 -> 3 repeats.
        let three = Tensor(shape: [1, 3, 1, 1]) { for i in $0.indices { $0[i] = Float(i * i) } }   // 0, 1, 4
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 2)(three).shape, [1, 2, 2, 1])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 2)(three).scalars, [0.5, 0.5, 2.5, 2.5])
        XCTAssertEqual(try AdaptiveAvgPool2d(outputSize: 3)(try Tensor(shape: [1, 1, 1, 2], scalars: [5, 7])).scalars,
                       Array(repeating: [Float(5), 7], count: 9).flatMap { $0 })
    }

    func testDefaultInitializationBoundsAndSeeding() throws {
        var generator = SeededGenerator(seed: 8)
        let conv = try Conv2d(inChannels: 4, outChannels: 8, kernelSize: 3, groups: 2, generator: &generator)
        XCTAssertEqual(conv.weight.value.shape, [8, 2, 3, 3])
        let bound = 1 / Float(2 * 3 * 3).squareRoot()     // fan-in = in / groups · k · k
        for values in [conv.weight.value.scalars, conv.bias!.value.scalars] {
            XCTAssertTrue(values.allSatisfy { abs($0) <= bound })
            XCTAssertGreaterThan(values.map(abs).max()!, 0.8 * bound)
        }
        let transposed = try ConvTranspose2d(inChannels: 4, outChannels: 6, kernelSize: 2, stride: 2, generator: &generator)
        XCTAssertEqual(transposed.weight.value.shape, [4, 6, 2, 2])
        XCTAssertTrue(transposed.weight.value.scalars.allSatisfy { abs($0) <= 1 / Float(6 * 2 * 2).squareRoot() })
        XCTAssertEqual(transposed(Tensor.ones([1, 3, 3, 4])).shape, [1, 6, 6, 6])

        var again = SeededGenerator(seed: 8)
        let same = try Conv2d(inChannels: 4, outChannels: 8, kernelSize: 3, groups: 2, generator: &again)
        XCTAssertEqual(same.stateDict(), conv.stateDict())
        let norm = try BatchNorm2d(3)
        XCTAssertEqual(norm.weight.value.scalars, [1, 1, 1])
        XCTAssertEqual(norm.bias.value.scalars, [0, 0, 0])
        XCTAssertEqual(norm.statistics.variance.scalars, [1, 1, 1])
    }

    func testAsymmetricPaddingAndInvalidConfigurations() throws {
        var generator = SeededGenerator(seed: 2)
        let conv = try Conv2d(inChannels: 1, outChannels: 1, kernelSize: 2, stride: 2,
                              padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1), bias: false, generator: &generator)
        conv.weight.value = Tensor.ones([1, 1, 2, 2])
        let input = try Tensor(shape: [1, 3, 3, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(conv(input).scalars, [12, 9, 15, 9])   // 1+2+4+5, 3+6, 7+8, 9
        XCTAssertThrowsError(try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2, generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("divisible by groups 2"), "\(error)")
        }
        XCTAssertThrowsError(try MaxPool2d(kernelSize: 2, padding: 2))
        XCTAssertThrowsError(try Linear(inFeatures: 0, outFeatures: 1, generator: &generator))
    }

    /// `Sequential` runs a `Conv2d` followed by `ReLU` or `ReLU6` as one fused convolution in training:
    /// the layer-by-layer values and parameter gradients, and no separate activation pass (counted by
    /// the kernel profile: oneDNN's eltwise forward runs for the layer-by-layer chain, not the fused one).
    func testSequentialFusesAConvolutionWithTheReLUOrReLU6AfterItInTraining() throws {
        var generator = SeededGenerator(seed: 5)
        let first = try Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, generator: &generator)
        let second = try Conv2d(inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, generator: &generator)
        let third = try Conv2d(inChannels: 8, outChannels: 4, kernelSize: 1, generator: &generator)
        let chain = Sequential(first, ReLU(), second, ReLU6(), third)
        second.weight.value = second.weight.value * 4   // pre-activations past ReLU6's upper kink too
        let input = Tensor.randomNormal([2, 7, 7, 3], mean: 0, standardDeviation: 4, generator: &generator)
        let parameters = [first, second, third].flatMap { [$0.weight, $0.bias!] }

        func run(_ forward: () -> Tensor) -> (output: Tensor, gradients: [[Float]], activationPasses: Int) {
            parameters.forEach { $0.zeroGradient() }
            KernelProfile.isEnabled = true
            _ = KernelProfile.take()
            let output = forward()
            (output * output).sum().backward()
            KernelProfile.isEnabled = false
            let passes = KernelProfile.take().first { $0.category == "eltwise forward_training" }?.calls ?? 0
            return (output, parameters.map { $0.gradient?.scalars ?? [] }, passes)
        }
        let fused = run { chain(input) }
        let layered = run { third(relu6(second(relu(first(input))))) }
        XCTAssertEqual(layered.activationPasses, 2)
        XCTAssertEqual(fused.activationPasses, 0, "the activations run inside the convolutions")
        let hidden = Tensor.withoutGradients { second(relu(first(input))) }.scalars
        XCTAssertTrue(hidden.contains { $0 < 0 } && hidden.contains { $0 > 6 }, "ReLU6 clips on both sides")
        XCTAssertEqual(fused.output.scalars, layered.output.scalars)
        // Observed children: a ReLU's output is its fused pair's; an observed convolution is not fused,
        // so the observer sees its pre-activations.
        var seen: [String: Tensor] = [:]
        let observed = Tensor.withoutGradients {
            chain(input, observing: ["0", "3"]) { name, output in seen[name] = output; return output }
        }
        XCTAssertEqual(observed.scalars, layered.output.scalars)
        XCTAssertTrue(seen["0"]?.scalars.contains { $0 < 0 } ?? false, "the first convolution's own output")
        XCTAssertEqual(seen["3"]?.scalars, Tensor.withoutGradients { relu6(second(relu(first(input)))) }.scalars)
        for (index, (actual, expected)) in zip(fused.gradients, layered.gradients).enumerated() {
            let scale = max(1, expected.map(abs).max() ?? 1)
            XCTAssertEqual(actual.count, expected.count)
            for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-5 * scale, "parameter \(index)") }
        }
    }
}
