import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// Conv2d passes its weight's `valueVersion` to oneDNN, which keeps a reordered copy of the weights
/// until the version changes: every way of changing the weights must bump it, or stale weights would be used.
final class ConvolutionWeightsVersionTests: XCTestCase {
    func testVersionGrowsWhenValueIsSetOrMutatedInPlace() {
        let parameter = Parameter(Tensor.zeros([2, 2]), name: "w")
        let start = parameter.valueVersion
        parameter.value = Tensor.ones([2, 2])
        XCTAssertEqual(parameter.valueVersion.owner, start.owner)
        XCTAssertGreaterThan(parameter.valueVersion.version, start.version)
        let afterSet = parameter.valueVersion
        parameter.value.withUnsafeMutableBufferPointer { $0[0] = 5 }
        XCTAssertGreaterThan(parameter.valueVersion.version, afterSet.version)
        XCTAssertNotEqual(Parameter(Tensor.zeros([1]), name: "other").valueVersion.owner, start.owner)
    }

    /// A convolution run twice with its weights negated in place in between gives negated outputs
    /// (no bias): the cached reordered weights are not reused after the change.
    func testInPlaceWeightChangeIsSeenByTheNextCall() throws {
        var generator = SeededGenerator(seed: 3)
        // 16 -> 32 channels: a shape for which oneDNN reorders the weights into a blocked layout.
        let convolution = try Conv2d(inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1, bias: false,
                                     generator: &generator)
        convolution.eval()
        let input = Tensor.randomNormal([2, 8, 8, 16], generator: &generator)
        let first = Tensor.withoutGradients { convolution(input) }
        convolution.weight.value.withUnsafeMutableBufferPointer { weights in
            for index in weights.indices { weights[index] = -weights[index] }
        }
        let second = Tensor.withoutGradients { convolution(input) }
        let largest = first.scalars.map(abs).max() ?? 0
        XCTAssertGreaterThan(largest, 0)
        for (a, b) in zip(first.scalars, second.scalars) { XCTAssertEqual(b, -a, accuracy: 1e-5 * largest) }
    }
}
