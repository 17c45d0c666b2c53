import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// The required end-to-end check: a small CNN learns a seeded synthetic image task with Adam,
/// reaching near-perfect training and held-out accuracy, and a second run with the same seed
/// gives bit-identical losses.
final class SmallCNNTrainingTests: XCTestCase {
    /// Trains for `epochs` on shuffled mini-batches, the convolutions in `precision`; returns the
    /// model and every step's loss.
    private func train(seed: UInt64, train data: SyntheticPatterns, epochs: Int,
                       precision: ComputePrecision = .fp32) throws -> (Sequential, [Float]) {
        let model = try makeSmallCNN(seed: seed)
        let optimizer = try Adam(parameters: model.parameters(), learningRate: 0.01)
        var shuffler = SeededGenerator(seed: seed).derived(1)
        var losses: [Float] = []
        model.train()
        for _ in 0..<epochs {
            let order = Array(0..<data.count).shuffled(using: &shuffler)
            for start in stride(from: 0, to: order.count, by: 32) {
                let batch = data.batch(Array(order[start..<min(start + 32, order.count)]))
                losses.append(ComputePrecision.$current.withValue(precision) {
                    trainingStep(model, optimizer, images: batch.images, labels: batch.labels)
                })
            }
        }
        model.eval()
        return (model, losses)
    }

    func testSmallCNNLearnsPatternsDeterministically() throws {
        var generator = SeededGenerator(seed: 2026)
        let trainingData = SyntheticPatterns(perClass: 32, noise: 0.5, generator: &generator)
        let heldOut = SyntheticPatterns(perClass: 16, noise: 0.5, generator: &generator)
        let untrained = try makeSmallCNN(seed: 5)
        untrained.eval()
        let chance = accuracy(of: untrained, on: heldOut)

        let (trained, losses) = try train(seed: 5, train: trainingData, epochs: 6)
        let (_, repeatedLosses) = try train(seed: 5, train: trainingData, epochs: 6)

        XCTAssertLessThan(chance, 0.5, "an untrained model should be near chance (0.25)")
        XCTAssertGreaterThan(losses[0], 1.0)
        XCTAssertLessThan(losses.suffix(4).reduce(0, +) / 4, 0.2)
        XCTAssertGreaterThanOrEqual(accuracy(of: trained, on: trainingData), 0.95)
        XCTAssertGreaterThanOrEqual(accuracy(of: trained, on: heldOut), 0.95)
        XCTAssertEqual(losses.map(\.bitPattern), repeatedLosses.map(\.bitPattern))
    }

    /// bf16 mixed precision learns the same task as FP32, its loss falling alike, on a CPU with
    /// native bf16.
    func testSmallCNNLearnsInBF16LikeInFP32() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        var generator = SeededGenerator(seed: 2026)
        let trainingData = SyntheticPatterns(perClass: 32, noise: 0.5, generator: &generator)
        let heldOut = SyntheticPatterns(perClass: 16, noise: 0.5, generator: &generator)
        let (_, fp32Losses) = try train(seed: 5, train: trainingData, epochs: 6)
        let (trained, bf16Losses) = try train(seed: 5, train: trainingData, epochs: 6, precision: .bf16)

        XCTAssertNotEqual(bf16Losses.map(\.bitPattern), fp32Losses.map(\.bitPattern), "bf16 gave FP32's losses: it did not run")
        // The first step's loss differs only by rounding; the curves then fall alike.
        XCTAssertEqual(bf16Losses[0], fp32Losses[0], accuracy: 0.02 * fp32Losses[0])
        func meanOfLast4(_ losses: [Float]) -> Float { losses.suffix(4).reduce(0, +) / 4 }
        XCTAssertLessThan(meanOfLast4(bf16Losses), 0.2)
        XCTAssertEqual(meanOfLast4(bf16Losses), meanOfLast4(fp32Losses), accuracy: 0.1)
        XCTAssertGreaterThanOrEqual(accuracy(of: trained, on: heldOut), 0.95)
    }
}
