@testable import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import XCTest

/// DenseNet inference's "batch norm + ReLU of the leading channels of a channel buffer" pass
/// (`FoldedBatchNorm.reluOfLeadingChannels(of:)`) against the evaluation-mode `BatchNorm2d` and `relu`
/// applied to a copy of those channels.
final class FoldedBatchNormTests: XCTestCase {
    /// 3 images of 7x7 pixels, 300 of a buffer's 320 channels: 44,100 scalars, split between two
    /// threads at pixel 73 (the late dense blocks' shape: few pixels, many channels).
    func testTheLeadingChannelsOfAWideBufferAcrossTwoThreads() throws {
        try checkLeadingChannels(batch: 3, side: 7, channels: 300, bufferChannels: 320, seed: 1)
    }

    /// 2 images of 5x5 pixels, 12 of 40 channels: one thread.
    func testAFewChannelsOfASmallBuffer() throws {
        try checkLeadingChannels(batch: 2, side: 5, channels: 12, bufferChannels: 40, seed: 2)
    }

    private func checkLeadingChannels(batch: Int, side: Int, channels: Int, bufferChannels: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let norm = try BatchNorm2d(channels)
        norm.weight.value = Tensor.randomUniform([channels], lowerBound: 0.5, upperBound: 1.5, generator: &generator)
        norm.bias.value = Tensor.randomNormal([channels], standardDeviation: 0.5, generator: &generator)
        norm.statistics.mean = Tensor.randomNormal([channels], standardDeviation: 0.5, generator: &generator)
        norm.statistics.variance = Tensor.randomUniform([channels], lowerBound: 0.5, upperBound: 1.5, generator: &generator)
        norm.eval()
        let buffer = Tensor.randomNormal([batch, side, side, bufferChannels], generator: &generator)
        let pixels = batch * side * side, all = buffer.scalars
        let leading = try Tensor(shape: [batch, side, side, channels], scalars: (0..<pixels).flatMap { pixel in
            all[pixel * bufferChannels..<pixel * bufferChannels + channels]
        })
        let expected = Tensor.withoutGradients { relu(norm(leading)) }
        let folded = FoldedBatchNorm(norm).reluOfLeadingChannels(of: buffer)
        XCTAssertEqual(folded.shape, [batch, side, side, channels])
        assertClose(folded, expected, "batch norm + ReLU of \(channels) of \(bufferChannels) channels",
                    tolerance: .relativeToLargest(1e-5))
        XCTAssertGreaterThan(expected.scalars.filter { $0 == 0 }.count, pixels * channels / 10, "ReLU clips a good share")
    }
}
