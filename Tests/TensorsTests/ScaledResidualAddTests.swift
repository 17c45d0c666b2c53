@testable import Tensors
import TestSupport
import XCTest

/// `scaledResidualAdd` (ConvNeXt's block tail in one pass) against the chain it replaces,
/// `branch * scale * factors + residual` as three recorded operations: the output bit for bit, and
/// the gradients of the residual (which also gathers one of its own), the branch and the scale.
final class ScaledResidualAddTests: XCTestCase {
    private struct Pass {
        var output: [Float]
        /// The residual's, the branch's and the scale's gradients.
        var gradients: [[Float]]
    }

    /// One forward and backward pass of `sum(tail · w) + sum(residual · v)`.
    private func run(shape: [Int], sampleScales: [Float]?, fused: Bool, seed: UInt64) -> Pass {
        let channels = shape[3]
        let residual = randomTensor(shape, seed: seed, mean: 0.5, standardDeviation: 2).requiringGradient()
        let branch = randomTensor(shape, seed: seed + 1, mean: -0.3, standardDeviation: 1.5).requiringGradient()
        let scale = randomTensor([channels], seed: seed + 2, mean: 0.2, standardDeviation: 0.5).requiringGradient()
        let output: Tensor
        if fused {
            output = scaledResidualAdd(residual, branch: branch, channelScale: scale, sampleScales: sampleScales)
        } else {
            var scaled = branch * scale
            if let sampleScales {
                scaled = scaled * (try! Tensor(shape: [shape[0], 1, 1, 1], scalars: sampleScales))
            }
            output = scaled + residual
        }
        let loss = (output * randomTensor(shape, seed: seed + 3)).sum() + (residual * randomTensor(shape, seed: seed + 4)).sum()
        loss.backward()
        return Pass(output: output.scalars, gradients: [residual, branch, scale].map { $0.gradient!.scalars })
    }

    private func assertFusedEqualsChain(shape: [Int], sampleScales: [Float]?, seed: UInt64,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let chain = run(shape: shape, sampleScales: sampleScales, fused: false, seed: seed)
        let fused = run(shape: shape, sampleScales: sampleScales, fused: true, seed: seed)
        let what = "\(shape), sample scales \(sampleScales.map { "\($0)" } ?? "none")"
        XCTAssertEqual(fused.output, chain.output, "\(what): the output, bit for bit", file: file, line: line)
        for (index, name) in ["residual", "branch", "scale"].enumerated() {
            // Element-wise gradients in the same float operations; the scale's sums in another order.
            assertClose(fused.gradients[index], chain.gradients[index].map(Double.init), "\(what): gradient of the \(name)",
                        tolerance: index == 2 ? .relativeToLargest(1e-5) : .elementwise(1e-6), file: file, line: line)
        }
        if let zero = sampleScales?.firstIndex(of: 0) {
            let perSample = fused.gradients[1].count / shape[0]
            XCTAssertTrue(fused.gradients[1][zero * perSample..<(zero + 1) * perSample].allSatisfy { $0 == 0 },
                          "\(what): a dropped sample's branch gets no gradient", file: file, line: line)
        }
    }

    func testWithoutSampleScalesEqualsTheChain() {
        // ConvNeXt-Tiny's first stage width on a small map; 4,096 rows over two threads.
        assertFusedEqualsChain(shape: [4, 32, 32, 96], sampleScales: nil, seed: 1)
    }

    func testStochasticDepthFactorsEqualTheChain() {
        // One sample dropped, the others scaled by 1 / 0.9, as StochasticDepth(probability: 0.1) draws.
        assertFusedEqualsChain(shape: [3, 7, 9, 24], sampleScales: [1 / 0.9, 0, 1 / 0.9], seed: 7)
    }

    func testTheScaleGradientSumsOverManyRowsInDoublePrecision() {
        // 50,000 rows of 0.1 over two threads: a Float running sum of a thread's 25,000 is off by 0.09
        // (the total by 0.18, 3.5e-5 of it); Float sums of 64 rows added in Double, by 0.003.
        let shape = [2, 125, 200, 3]
        let residual = Tensor.zeros(shape), branch = Tensor.filled(shape, with: 0.1)
        let scale = Tensor.filled([3], with: 1).requiringGradient()
        scaledResidualAdd(residual, branch: branch, channelScale: scale).sum().backward()
        let expected = 50_000 * Double(Float(0.1))
        assertClose(scale.gradient!.scalars, [expected, expected, expected], "the scale's gradient", tolerance: .elementwise(1e-5))
    }
}
