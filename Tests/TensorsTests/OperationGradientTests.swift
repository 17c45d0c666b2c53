import Randomness
import Tensors
import XCTest

/// Every differentiable operation's backward against central finite differences.
final class OperationGradientTests: XCTestCase {
    func testArithmeticSameShape() {
        let a = randomTensor([2, 3], seed: 1), b = randomTensor([2, 3], seed: 2, mean: 3)
        assertGradientsMatchFiniteDifferences([a, b]) { $0[0] + $0[1] }
        assertGradientsMatchFiniteDifferences([a, b]) { $0[0] - $0[1] }
        assertGradientsMatchFiniteDifferences([a, b]) { $0[0] * $0[1] }
        assertGradientsMatchFiniteDifferences([a, b]) { $0[0] / $0[1] }
    }

    func testArithmeticBroadcasting() {
        let matrix = randomTensor([2, 3], seed: 3), row = randomTensor([3], seed: 4, mean: 3)
        let column = randomTensor([2, 1], seed: 5, mean: 3), scalar = randomTensor([], seed: 6, mean: 3)
        assertGradientsMatchFiniteDifferences([matrix, row]) { $0[0] + $0[1] }
        assertGradientsMatchFiniteDifferences([row, matrix]) { $0[0] - $0[1] }
        assertGradientsMatchFiniteDifferences([matrix, column]) { $0[0] * $0[1] }
        assertGradientsMatchFiniteDifferences([matrix, scalar]) { $0[0] / $0[1] }
        let left = randomTensor([2, 1, 4], seed: 7), right = randomTensor([3, 1], seed: 8, mean: 3)
        assertGradientsMatchFiniteDifferences([left, right]) { $0[0] * $0[1] }
        assertGradientsMatchFiniteDifferences([left, right]) { $0[0] / $0[1] }
        let image = randomTensor([2, 2, 2, 3], seed: 9), channel = randomTensor([3], seed: 10)
        assertGradientsMatchFiniteDifferences([image, channel]) { $0[0] + $0[1] }
    }

    func testScalarArithmeticAndUnaryFunctions() {
        let x = randomTensor([2, 3], seed: 11)
        let positive = randomTensor([2, 3], seed: 12, mean: 3, standardDeviation: 0.5)
        assertGradientsMatchFiniteDifferences([x]) { -$0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] + 2 }
        assertGradientsMatchFiniteDifferences([x]) { 2 - $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] * 3 }
        assertGradientsMatchFiniteDifferences([x]) { $0[0] / 4 }
        assertGradientsMatchFiniteDifferences([positive]) { 2 / $0[0] }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].squared() }
        assertGradientsMatchFiniteDifferences([x]) { exp($0[0]) }
        assertGradientsMatchFiniteDifferences([positive]) { log($0[0]) }
        assertGradientsMatchFiniteDifferences([positive]) { sqrt($0[0]) }
        assertGradientsMatchFiniteDifferences([positive]) { pow($0[0], 2.5) }
    }

    func testReductions() {
        let x = randomTensor([2, 3, 4], seed: 13)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: 1) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [0, 2], keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].mean(alongAxes: -1) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].squaredSum() }
        assertGradientsMatchFiniteDifferences([x], step: 1e-3) { $0[0].max(alongAxis: 1) }
        assertGradientsMatchFiniteDifferences([x], step: 1e-3) { $0[0].max(alongAxis: 2, keepingDimensions: true) }
        assertGradientsMatchFiniteDifferences([x], step: 1e-3) { $0[0].max() }
    }

    func testBroadcastAndItsAdjoint() {
        assertGradientsMatchFiniteDifferences([randomTensor([3, 1], seed: 14)]) { $0[0].broadcasted(to: [2, 3, 4]) }
        assertGradientsMatchFiniteDifferences([randomTensor([2, 3, 4], seed: 15)]) { $0[0].summed(toShape: [3, 1]) }
    }

    func testShapeOperations() {
        let x = randomTensor([2, 3, 4], seed: 16)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].reshaped(to: [4, -1]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].flattened() }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].permuted(2, 0, 1) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].transposed() }
    }

    func testSlicingConcatenationAndSplitting() {
        let x = randomTensor([3, 4, 2], seed: 17), y = randomTensor([3, 2, 2], seed: 18)
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sliced([1..<3, 1..<4]) }
        assertGradientsMatchFiniteDifferences([x]) { $0[0].sliced(alongAxis: -1, 1..<2) }
        assertGradientsMatchFiniteDifferences([x, y]) { Tensor(concatenating: [$0[0], $0[1]], alongAxis: 1) }
        assertGradientsMatchFiniteDifferences([x]) { inputs in
            let parts = inputs[0].split(sizes: [1, 3], alongAxis: 1)
            return parts[0] * 2 + parts[1].sum(alongAxes: [1], keepingDimensions: true)
        }
    }

    /// A dense block's pattern: thin NHWC feature maps joined along the channels, one of them
    /// without a gradient, large enough for the copies to be split over the cores; the joined values
    /// and each part's gradient against loops over the rows written out here.
    func testLargeConcatenationOfThinPartsAndItsGradientMatchRowLoops() {
        let widths = [5, 1, 7, 3], rows = 8 * 24 * 24, total = 16
        let parts = widths.enumerated().map { index, width in
            let part = randomTensor([8, 24, 24, width], seed: 40 + UInt64(index))
            return index == 1 ? part : part.requiringGradient()
        }
        let joined = Tensor(concatenating: parts, alongAxis: 3)
        XCTAssertEqual(joined.shape, [8, 24, 24, total])
        let values = parts.map(\.scalars)
        var expected: [Float] = []
        for row in 0..<rows {
            for (value, width) in zip(values, widths) { expected += value[(row * width)..<((row + 1) * width)] }
        }
        XCTAssertEqual(joined.scalars, expected)
        let weights = randomTensor([8, 24, 24, total], seed: 50)
        (joined * weights).sum().backward()
        let weightValues = weights.scalars
        var offset = 0
        for (index, width) in widths.enumerated() {
            defer { offset += width }
            if index == 1 {
                XCTAssertNil(parts[index].gradient, "the part without a gradient gets none")
                continue
            }
            let expectedGradient = (0..<rows).flatMap { row in weightValues[(row * total + offset)..<(row * total + offset + width)] }
            XCTAssertEqual(parts[index].gradient?.scalars, expectedGradient, "part \(index)")
        }
    }

    /// A concatenation adds its gradient's parts into the gradients its inputs gathered from other
    /// operations, in place where their storage is not shared (`AccumulatingBackwardFunction`), as a
    /// dense block's feature maps gather one part per later layer. `a` and `b` feed two
    /// concatenations, one of them twice (`b`, `b`: the plain backward pass), and an addition whose
    /// backward pass hands both the same gradient storage, which must not be added into. Each
    /// gradient is checked against its sum written out, with the graph built in both orders.
    func testConcatenationGradientsAddIntoGatheredGradientsWithoutTouchingSharedOnes() {
        let shape = [2, 3, 4, 5], width = 5
        for additionFirst in [true, false] {
            let a = randomTensor(shape, seed: 60).requiringGradient(), b = randomTensor(shape, seed: 61).requiringGradient()
            let widths: [Int] = [2 * width, 3 * width, 2 * width, width]
            let r: [Tensor] = widths.enumerated().map { index, channels in randomTensor([2, 3, 4, channels], seed: 62 + UInt64(index)) }
            let sum: () -> Tensor = { ((a + b) * r[3]).sum() }
            // The backward pass runs the operations made last first.
            var loss = additionFirst ? sum() : Tensor(shape: [], repeating: 0)
            loss = loss + (Tensor(concatenating: [b, b], alongAxis: 3) * r[2]).sum()
            loss = loss + (Tensor(concatenating: [a, b], alongAxis: 3) * r[0]).sum()
            loss = loss + (Tensor(concatenating: [a, b, a * 2], alongAxis: 3) * r[1]).sum()
            if !additionFirst { loss = loss + sum() }
            loss.backward()
            /// Part `part` (of `width` channels) of `tensor`, whose rows hold `parts` parts.
            func piece(_ tensor: Tensor, _ part: Int, of parts: Int) -> [Float] {
                let values = tensor.scalars
                var result: [Float] = []
                for row in 0..<(2 * 3 * 4) {
                    let start = (row * parts + part) * width
                    result += values[start..<(start + width)]
                }
                return result
            }
            /// The element-wise sum of `terms`.
            func added(_ terms: [[Float]]) -> [Float] {
                terms.dropFirst().reduce(terms[0]) { total, term in zip(total, term).map { $0 + $1 } }
            }
            let twice: [Float] = piece(r[1], 2, of: 3).map { 2 * $0 }
            let expectedA = added([piece(r[0], 0, of: 2), piece(r[1], 0, of: 3), twice, r[3].scalars])
            let expectedB = added([piece(r[0], 1, of: 2), piece(r[1], 1, of: 3), piece(r[2], 0, of: 2), piece(r[2], 1, of: 2),
                                   r[3].scalars])
            let gradients: [(String, [Float], [Float])] = [("a", a.gradient!.scalars, expectedA), ("b", b.gradient!.scalars, expectedB)]
            for (name, gradient, expected) in gradients {
                let worst: Float = zip(gradient, expected).map { abs($0 - $1) }.max()!
                XCTAssertLessThan(worst, 1e-5, "gradient of \(name) (addition first: \(additionFirst))")
            }
        }
    }

    func testMatrixProducts() {
        let a = randomTensor([3, 4], seed: 19), b = randomTensor([4, 2], seed: 20)
        assertGradientsMatchFiniteDifferences([a, b]) { matmul($0[0], $0[1]) }
        let batch = randomTensor([2, 3, 4], seed: 21), batchRight = randomTensor([2, 4, 2], seed: 22)
        assertGradientsMatchFiniteDifferences([batch, b]) { matmul($0[0], $0[1]) }
        assertGradientsMatchFiniteDifferences([batch, batchRight]) { matmul($0[0], $0[1]) }
        let bias = randomTensor([2], seed: 23)
        assertGradientsMatchFiniteDifferences([a, b, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testSoftmaxFamily() {
        let logits = randomTensor([3, 5], seed: 24, standardDeviation: 2)
        assertGradientsMatchFiniteDifferences([logits]) { softmax($0[0]) }
        assertGradientsMatchFiniteDifferences([logits]) { logSoftmax($0[0]) }
    }

    func testCrossEntropyWithWeightsAndSmoothing() {
        let logits = randomTensor([4, 3], seed: 25, standardDeviation: 2)
        let labels = [0, 2, 1, 2]
        let weights = try! Tensor(shape: [3], scalars: [0.5, 2, 1])
        assertGradientsMatchFiniteDifferences([logits]) { softmaxCrossEntropy(logits: $0[0], labels: labels) }
        assertGradientsMatchFiniteDifferences([logits]) {
            softmaxCrossEntropy(logits: $0[0], labels: labels, classWeights: weights, labelSmoothing: 0.2)
        }
    }

    func testDropoutWithAFixedMask() {
        assertGradientsMatchFiniteDifferences([randomTensor([4, 5], seed: 26)]) { inputs in
            var generator = SeededGenerator(seed: 5)
            return dropout(inputs[0], rate: 0.3, isTraining: true, generator: &generator)
        }
    }

    func testL2PenaltyGradientIsCoefficientTimesWeights() {
        let weight = Parameter(randomTensor([2, 3], seed: 27)), bias = Parameter(randomTensor([3], seed: 28))
        let frozen = Parameter(randomTensor([3], seed: 29), isFrozen: true)
        let penalty = l2Penalty([weight, bias, frozen], coefficient: 0.1)
        let expected = 0.05 * (weight.value.scalars + bias.value.scalars).reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(penalty.scalar, expected, accuracy: 1e-5)
        penalty.backward()
        assertTensor(weight.gradient!, equals: weight.value.scalars.map { 0.1 * $0 }, shape: [2, 3])
        assertTensor(bias.gradient!, equals: bias.value.scalars.map { 0.1 * $0 }, shape: [3])
        XCTAssertNil(frozen.gradient)
    }
}
