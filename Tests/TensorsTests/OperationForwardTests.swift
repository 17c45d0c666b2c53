import Randomness
import Tensors
import XCTest

/// Forward values of the operations against hand-computed answers and naive loops (the large
/// cases go through the two-core paths).
final class OperationForwardTests: XCTestCase {
    func testBroadcastingArithmetic() throws {
        let matrix = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = try Tensor(shape: [3], scalars: [10, 20, 30])
        let column = try Tensor(shape: [2, 1], scalars: [2, 4])
        assertTensor(matrix + row, equals: [11, 22, 33, 14, 25, 36], shape: [2, 3])
        assertTensor(matrix - column, equals: [-1, 0, 1, 0, 1, 2], shape: [2, 3])
        assertTensor(row * column, equals: [20, 40, 60, 40, 80, 120], shape: [2, 3])
        assertTensor(matrix / Tensor(2), equals: [0.5, 1, 1.5, 2, 2.5, 3], shape: [2, 3])
        assertTensor(2 / matrix, equals: [2, 1, 2 / 3, 0.5, 0.4, 1 / 3], shape: [2, 3])
        assertTensor(pow(row, 2) - row.squared(), equals: [0, 0, 0], shape: [3])
    }

    func testLargeBroadcastMatchesANaiveLoop() {
        let a = randomTensor([64, 1, 300], seed: 1), b = randomTensor([70, 1], seed: 2)
        let result = a * b
        XCTAssertEqual(result.shape, [64, 70, 300])
        let (x, y, z) = (a.scalars, b.scalars, result.scalars)
        for (i, j, k) in [(0, 0, 0), (63, 69, 299), (31, 5, 17), (40, 35, 150)] {
            XCTAssertEqual(z[(i * 70 + j) * 300 + k], x[i * 300 + k] * y[j])
        }
        let summed = result.summed(toShape: [70, 1])
        let expected = (0..<64).reduce(Float(0)) { total, i in total + (0..<300).reduce(Float(0)) { $0 + x[i * 300 + $1] } } * y[3]
        XCTAssertEqual(summed.scalars[3], expected, accuracy: 1e-3 * max(1, abs(expected)))
    }

    func testLargeContiguousOperationsMatchElementwiseAnswers() {
        let x = randomTensor([100_003], seed: 31)
        let values = x.scalars
        let combined = (x * 3 - x + 1).scalars
        let negated = (-x).scalars
        for index in [0, 50_001, 100_002] {
            XCTAssertEqual(combined[index], values[index] * 3 - values[index] + 1, accuracy: 1e-6)
            XCTAssertEqual(negated[index], -values[index])
        }
    }

    func testReductions() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        XCTAssertEqual(x.sum().scalar, 21)
        XCTAssertEqual(x.mean().scalar, 3.5)
        assertTensor(x.sum(alongAxes: 0), equals: [5, 7, 9], shape: [3])
        assertTensor(x.sum(alongAxes: [1], keepingDimensions: true), equals: [9, 12], shape: [2, 1])
        assertTensor(x.mean(alongAxes: -1), equals: [3, 4], shape: [2])
        assertTensor(x.max(alongAxis: 1), equals: [5, 6], shape: [2])
        assertTensor(x.max(alongAxis: 0, keepingDimensions: true), equals: [4, 5, 6], shape: [1, 3])
        XCTAssertEqual(x.max().scalar, 6)
        XCTAssertEqual(x.argmax(alongAxis: 1), [1, 2])
        XCTAssertEqual(x.argmax(alongAxis: 0), [1, 0, 1])
        XCTAssertEqual(x.squaredSum().scalar, 91)
    }

    func testLargeReductionsMatchDoubleSums() {
        let x = randomTensor([4001, 16], seed: 30, mean: 0.5)
        let values = x.scalars
        let total = values.reduce(0.0) { $0 + Double($1) }
        XCTAssertEqual(Double(x.sum().scalar), total, accuracy: 1e-5 * values.reduce(0.0) { $0 + Double(abs($1)) })
        let channels = x.sum(alongAxes: 0).scalars
        for channel in [0, 7, 15] {
            let expected = stride(from: channel, to: values.count, by: 16).reduce(0.0) { $0 + Double(values[$1]) }
            XCTAssertEqual(Double(channels[channel]), expected, accuracy: 1e-2)
        }
        let rows = x.sum(alongAxes: 1).scalars
        XCTAssertEqual(Double(rows[4000]), values[64000..<64016].reduce(0.0) { $0 + Double($1) }, accuracy: 1e-4)
    }

    func testMaxGradientGoesToTheFirstMaximum() throws {
        let x = try Tensor(shape: [4], scalars: [1, 7, 7, 2]).requiringGradient()
        x.max().backward()
        XCTAssertEqual(x.gradient!.scalars, [0, 1, 0, 0])
    }

    func testPermuteSliceConcatenateSplit() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        assertTensor(x.transposed(), equals: [1, 4, 2, 5, 3, 6], shape: [3, 2])
        let cube = try Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        assertTensor(cube.permuted(2, 0, 1), equals: [0, 2, 4, 6, 1, 3, 5, 7], shape: [2, 2, 2])
        assertTensor(x.sliced([1..<2, 0..<2]), equals: [4, 5], shape: [1, 2])
        assertTensor(x.sliced(alongAxis: 1, 1..<3), equals: [2, 3, 5, 6], shape: [2, 2])
        let joined = Tensor(concatenating: [x, try Tensor(shape: [2, 1], scalars: [9, 8])], alongAxis: 1)
        assertTensor(joined, equals: [1, 2, 3, 9, 4, 5, 6, 8], shape: [2, 4])
        assertTensor(Tensor(concatenating: [x, x]), equals: [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], shape: [4, 3])
        let parts = joined.split(sizes: [3, 1], alongAxis: -1)
        assertTensor(parts[0], equals: x.scalars, shape: [2, 3])
        assertTensor(parts[1], equals: [9, 8], shape: [2, 1])
        assertTensor(x.flattened(), equals: x.scalars, shape: [2, 3])
    }

    func testLargePermutationMatchesANaiveLoop() {
        let x = randomTensor([8, 16, 16, 32], seed: 3)   // NHWC
        let nchw = x.permuted(0, 3, 1, 2)
        let (source, result) = (x.scalars, nchw.scalars)
        for (n, c, h, w) in [(0, 0, 0, 0), (7, 31, 15, 15), (3, 17, 9, 2)] {
            XCTAssertEqual(result[((n * 32 + c) * 16 + h) * 16 + w], source[((n * 16 + h) * 16 + w) * 32 + c])
        }
        XCTAssertEqual(nchw.permuted(0, 2, 3, 1).scalars, source)
    }

    func testMatrixProducts() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        assertTensor(matmul(a, b), equals: [58, 64, 139, 154], shape: [2, 2])
        let bias = try Tensor(shape: [2], scalars: [1, -1])
        assertTensor(linear(a, weight: b, bias: bias), equals: [59, 63, 140, 153], shape: [2, 2])
        let batch = Tensor(concatenating: [a.reshaped(to: [1, 2, 3]), (a * 2).reshaped(to: [1, 2, 3])])
        assertTensor(matmul(batch, b), equals: [58, 64, 139, 154, 116, 128, 278, 308], shape: [2, 2, 2])
        let rightBatch = Tensor(concatenating: [b.reshaped(to: [1, 3, 2]), (b * -1).reshaped(to: [1, 3, 2])])
        assertTensor(matmul(batch, rightBatch), equals: [58, 64, 139, 154, -116, -128, -278, -308], shape: [2, 2, 2])
    }

    func testSoftmaxRows() throws {
        let logits = try Tensor(shape: [2, 3], scalars: [0, 0, 0, 1000, 0, 1000])
        assertTensor(softmax(logits), equals: [1 / 3, 1 / 3, 1 / 3, 0.5, 0, 0.5], shape: [2, 3])
        let log2 = Float(2).logValue
        assertTensor(logSoftmax(try Tensor(shape: [1, 2], scalars: [3, 3])), equals: [-log2, -log2], shape: [1, 2])
    }

    func testCrossEntropyByHand() throws {
        // Two classes with equal logits: every log-probability is -log 2.
        let logits = Tensor.zeros([3, 2])
        let log2 = Float(2).logValue
        XCTAssertEqual(softmaxCrossEntropy(logits: logits, labels: [0, 1, 1]).scalar, log2, accuracy: 1e-6)
        // Row 0: logits (log 3, 0) → p = (3/4, 1/4); label 0 with weight 2; row 1 label 1 weight 1.
        let skewed = try Tensor(shape: [2, 2], scalars: [Float(3).logValue, 0, 0, 0])
        let weights = try Tensor(shape: [2], scalars: [2, 1])
        let expected = (2 * -Float(0.75).logValue + 1 * log2) / 3
        XCTAssertEqual(softmaxCrossEntropy(logits: skewed, labels: [0, 1], classWeights: weights).scalar, expected, accuracy: 1e-6)
        // Label smoothing 0.5 over 2 classes: targets (0.75, 0.25) on row 0.
        let smoothed = (0.75 * -Float(0.75).logValue + 0.25 * -Float(0.25).logValue + log2) / 2
        XCTAssertEqual(softmaxCrossEntropy(logits: skewed, labels: [0, 1], labelSmoothing: 0.5).scalar, smoothed, accuracy: 1e-6)
    }

    func testDropoutZeroesAboutTheRateAndScalesTheRest() {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor.ones([10000])
        let dropped = dropout(x, rate: 0.25, isTraining: true, generator: &generator).scalars
        let zeros = dropped.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10000, 0.25, accuracy: 0.02)
        XCTAssertTrue(dropped.allSatisfy { $0 == 0 || abs($0 - 4 / 3) < 1e-6 })
        XCTAssertEqual(dropout(x, rate: 0.25, isTraining: false, generator: &generator).scalars, x.scalars)
        var first = SeededGenerator(seed: 9), second = SeededGenerator(seed: 9)
        XCTAssertEqual(dropout(x, rate: 0.5, isTraining: true, generator: &first).scalars,
                       dropout(x, rate: 0.5, isTraining: true, generator: &second).scalars)
    }
}

private extension Float {
    var logValue: Float { Float(Foundation.log(Double(self))) }
}
