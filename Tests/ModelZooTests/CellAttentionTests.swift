import Foundation
import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// The cell-bag attention network: PyTorch parity on two bags (fixture by
/// scripts/fixtures/cell_attention.py), its keys, its refusal of empty bags, and a synthetic
/// multiple-instance task it must learn with Adam, finding the planted instance.
final class CellAttentionTests: XCTestCase {
    // MARK: - PyTorch parity

    /// The fixture's entries under `prefix`, with the prefix removed.
    private func entries(_ fixture: StateDict, prefix: String) -> StateDict {
        Dictionary(uniqueKeysWithValues: fixture.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        })
    }

    func testLogitsAttentionAndGradientsMatchPyTorch() throws {
        let fixture = try SafeTensors.read(from: fixtures.url("cell_attention.safetensors"))
        func tensor(_ key: String) throws -> Tensor { try Tensor(XCTUnwrap(fixture[key], "no \(key) in the fixture")) }
        let network = try CellAttentionNetwork(configuration: .init(embeddingSize: 12, projectedSize: 8, attentionSize: 6,
                                                                    dropoutRate: 0.25, classCount: 3), seed: 1)
        try network.loadStateDict(entries(fixture, prefix: "state."))
        network.eval()
        let bags = try [tensor("bag.0"), tensor("bag.1")].map { $0.requiringGradient() }
        XCTAssertEqual(bags.map(\.shape), [[5, 12], [2, 12]])
        let labels = try tensor("labels").scalars.map { Int($0) }

        let (logits, attention) = try network.logits(bags: bags)
        let loss = softmaxCrossEntropy(logits: logits, labels: labels)
        loss.backward()

        assertClose(logits, try tensor("logits"), "logits", tolerance: .elementwise(1e-5))
        assertClose(loss, try tensor("loss"), "loss", tolerance: .elementwise(1e-5))
        for index in bags.indices {
            assertClose(attention[index], try tensor("attention.\(index)"), "attention of bag \(index)",
                        tolerance: .elementwise(1e-5))
            assertClose(bags[index].gradient, try tensor("grad.bag.\(index)"), "gradient of bag \(index)",
                        tolerance: .elementwise(1e-5))
        }
        let gradients = entries(fixture, prefix: "grad.").filter { !$0.key.hasPrefix("bag.") }
        XCTAssertEqual(Set(gradients.keys), Set(network.namedParameters().map(\.name)))
        for (name, parameter) in network.namedParameters() {
            assertClose(parameter.gradient, try gradients[name].map(Tensor.init), "gradient of \(name)",
                        tolerance: .elementwise(1e-5))
        }
    }

    // MARK: - Keys, configuration, edge cases

    func testStateDictKeysWithAndWithoutProjection() throws {
        let network = try CellAttentionNetwork(configuration: .init(), seed: 1)
        XCTAssertEqual(network.stateDictShapes(), [
            "projection.0.weight": [128, 1280], "projection.0.bias": [128],
            "attention.attention_V.0.weight": [64, 128], "attention.attention_V.0.bias": [64],
            "attention.attention_U.0.weight": [64, 128], "attention.attention_U.0.bias": [64],
            "attention.attention_w.weight": [1, 64], "attention.attention_w.bias": [1],
            "classifier.weight": [2, 128], "classifier.bias": [2],
        ])
        let unprojected = try CellAttentionNetwork(configuration: .init(embeddingSize: 10, projectedSize: nil, attentionSize: 4,
                                                                        classCount: 3), seed: 1)
        XCTAssertEqual(unprojected.stateDictShapes(), [
            "attention.attention_V.0.weight": [4, 10], "attention.attention_V.0.bias": [4],
            "attention.attention_U.0.weight": [4, 10], "attention.attention_U.0.bias": [4],
            "attention.attention_w.weight": [1, 4], "attention.attention_w.bias": [1],
            "classifier.weight": [3, 10], "classifier.bias": [3],
        ])
        XCTAssertEqual(try unprojected.logits(bag: Tensor.ones([3, 10])).logits.shape, [1, 3])
    }

    func testSameSeedSameWeightsAndInvalidSizesAreRefused() throws {
        let configuration = CellAttentionNetwork.Configuration(embeddingSize: 16, projectedSize: 8, attentionSize: 4)
        let first = try CellAttentionNetwork(configuration: configuration, seed: 5).stateDict()
        XCTAssertEqual(first, try CellAttentionNetwork(configuration: configuration, seed: 5).stateDict())
        XCTAssertNotEqual(first, try CellAttentionNetwork(configuration: configuration, seed: 6).stateDict())
        for invalid in [CellAttentionNetwork.Configuration(projectedSize: 0), .init(attentionSize: 0), .init(dropoutRate: 1),
                        .init(classCount: 0)] {
            XCTAssertThrowsError(try CellAttentionNetwork(configuration: invalid, seed: 1), "\(invalid)") { error in
                guard case .invalidConfiguration(architecture: "CellAttentionNetwork", _) = error as? ModelZooError else {
                    return XCTFail("unexpected error \(error)")
                }
            }
        }
    }

    func testBagOfOneCellAndEmptyBag() throws {
        let network = try CellAttentionNetwork(configuration: .init(embeddingSize: 16, projectedSize: 8, attentionSize: 4), seed: 2)
        network.eval()
        var generator = SeededGenerator(seed: 3)
        let cell = Tensor.randomNormal([1, 16], generator: &generator)
        let (logits, attention) = try network.logits(bag: cell)
        XCTAssertEqual(attention.scalars, [1.0])
        // The classifier sees the one projected cell itself.
        let projected = try XCTUnwrap(network.projection)(cell)
        assertClose(logits, network.classifier(projected), "logits of a bag of one", tolerance: .elementwise(1e-6))
        assertThrows(LayerError.emptyBag(layer: "CellAttentionNetwork"), mentioning: ["empty"]) {
            _ = try network.logits(bag: Tensor.zeros([0, 16]))
        }
        assertThrows(LayerError.emptyBag(layer: "CellAttentionNetwork")) {
            _ = try network.logits(bags: [cell, Tensor.zeros([0, 16])])
        }
    }

    // MARK: - Learning a multiple-instance task

    /// A bag of 3–12 standard normal vectors; a positive bag has one of them replaced by the planted
    /// pattern (plus a little noise) at a random position.
    private struct SyntheticBag {
        let instances: Tensor
        let isPositive: Bool
        let plantedIndex: Int?
    }

    private func syntheticBags(count: Int, pattern: [Float], generator: inout SeededGenerator) -> [SyntheticBag] {
        (0..<count).map { index in
            let size = 3 + Int(generator.next() % 10)
            let isPositive = index % 2 == 0
            let plantedIndex = isPositive ? Int(generator.next() % UInt64(size)) : nil
            var values = (0..<size * pattern.count).map { _ in Float(generator.nextNormal()) }
            if let plantedIndex {
                for (column, value) in pattern.enumerated() {
                    values[plantedIndex * pattern.count + column] = value + 0.3 * Float(generator.nextNormal())
                }
            }
            let instances = Tensor(shape: [size, pattern.count]) { _ = $0.initialize(from: values) }
            return SyntheticBag(instances: instances, isPositive: isPositive, plantedIndex: plantedIndex)
        }
    }

    func testLearnsASyntheticMultipleInstanceTaskAndAttendsToThePlantedInstance() throws {
        let embeddingSize = 32
        var generator = SeededGenerator(seed: 2024)
        let pattern = (0..<embeddingSize).map { _ in generator.next() % 2 == 0 ? Float(1) : -1 }
        var training = syntheticBags(count: 240, pattern: pattern, generator: &generator)
        let heldOut = syntheticBags(count: 100, pattern: pattern, generator: &generator)
        let network = try CellAttentionNetwork(configuration: .init(embeddingSize: embeddingSize, projectedSize: 16,
                                                                    attentionSize: 8, dropoutRate: 0, classCount: 2), seed: 7)
        let optimizer = try Adam(parameters: network.parameters(), learningRate: 0.005)
        let batchSize = 8, epochs = 6
        for _ in 0..<epochs {
            training.shuffle(using: &generator)
            for start in stride(from: 0, to: training.count, by: batchSize) {
                let batch = training[start..<min(start + batchSize, training.count)]
                optimizer.zeroGradients()
                let logits = try network.logits(bags: batch.map(\.instances)).logits
                softmaxCrossEntropy(logits: logits, labels: batch.map { $0.isPositive ? 1 : 0 }).backward()
                optimizer.step()
            }
        }

        network.eval()
        var correct = 0, attendedToPlanted = 0
        try Tensor.withoutGradients {
            for bag in heldOut {
                let (logits, attention) = try network.logits(bag: bag.instances)
                if (logits.argmax(alongAxis: 1)[0] == 1) == bag.isPositive { correct += 1 }
                if let plantedIndex = bag.plantedIndex, attention.argmax(alongAxis: 0)[0] == plantedIndex {
                    attendedToPlanted += 1
                }
            }
        }
        let accuracy = Double(correct) / Double(heldOut.count)
        let positives = heldOut.filter(\.isPositive).count
        let attendedShare = Double(attendedToPlanted) / Double(positives)
        print("synthetic MIL after \(epochs) epochs: held-out accuracy \(accuracy) (\(correct) of \(heldOut.count)), "
              + "largest attention on the planted instance in \(attendedToPlanted) of \(positives) positive bags")
        XCTAssertGreaterThanOrEqual(accuracy, 0.95)
        XCTAssertGreaterThanOrEqual(attendedShare, 0.9)
    }

    // MARK: - Speed sanity

    /// One bag of 20 cells through the default network (E 1280, L 128, D 64), forward and backward;
    /// prints the median time (a number for the record, not an assertion).
    func testForwardAndBackwardOfABagOfTwentyCells() throws {
        let network = try CellAttentionNetwork(configuration: .init(), seed: 3)
        var generator = SeededGenerator(seed: 4)
        let bag = Tensor.randomNormal([20, 1280], generator: &generator)
        var milliseconds: [Double] = []
        for iteration in 0..<60 {
            for parameter in network.parameters() { parameter.zeroGradient() }
            let start = ContinuousClock.now
            softmaxCrossEntropy(logits: try network.logits(bag: bag).logits, labels: [1]).backward()
            let elapsed = ContinuousClock.now - start
            if iteration >= 10 {
                milliseconds.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
            }
        }
        for (name, parameter) in network.namedParameters() {
            XCTAssertTrue(try XCTUnwrap(parameter.gradient, name).scalars.allSatisfy(\.isFinite), name)
        }
        milliseconds.sort()
        print(String(format: "forward + backward of a bag of 20 cells (E 1280, L 128, D 64): median %.3f ms, min %.3f ms over %d runs",
                     milliseconds[milliseconds.count / 2], milliseconds[0], milliseconds.count))
    }
}
