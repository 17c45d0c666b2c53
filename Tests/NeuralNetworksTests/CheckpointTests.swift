import Foundation
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// Weights and training checkpoints in safetensors: round trips and exact resumption.
final class CheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryFolder(self).url
    }

    private func data() -> SyntheticPatterns {
        var generator = SeededGenerator(seed: 77)
        return SyntheticPatterns(perClass: 4, generator: &generator)
    }

    func testSavedWeightsReloadToIdenticalOutputs() throws {
        let batch = data().batch(Array(0..<16))
        let model = try makeSmallCNN(seed: 1)
        let optimizer = try Adam(parameters: model.parameters(), learningRate: 0.01)
        trainingStep(model, optimizer, images: batch.images, labels: batch.labels)   // non-default buffers too
        let url = directory.appendingPathComponent("weights.safetensors")
        try saveWeights(of: model, to: url, metadata: ["note": "one step"])

        let restored = try makeSmallCNN(seed: 2)
        XCTAssertEqual(try loadWeights(into: restored, from: url), ["note": "one step"])
        model.eval()
        restored.eval()
        let expected = Tensor.withoutGradients { model(batch.images) }
        let actual = Tensor.withoutGradients { restored(batch.images) }
        XCTAssertEqual(actual.scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern))
        XCTAssertEqual(try SafeTensors.read(from: url)["1.num_batches_tracked"]?.values, [1])
    }

    func testNonFiniteWeightsAreNeitherSavedNorLoaded() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            let model = try makeSmallCNN(seed: 1)
            let url = directory.appendingPathComponent("weights-\(bad).safetensors")
            var stateDict = model.stateDict()
            let key = try XCTUnwrap(stateDict.keys.sorted().first { $0.hasSuffix(".weight") })
            stateDict[key]?.values[3] = bad
            try model.loadStateDict(stateDict)
            XCTAssertThrowsError(try saveWeights(of: model, to: url)) { error in
                XCTAssertTrue("\(error)".contains("tensor \(key) holds \(bad) at element 3"), "\(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing is written")

            // A file that holds one (the format carries it; another tool wrote it) is refused on loading.
            try SafeTensors.write(stateDict, to: url)
            let restored = try makeSmallCNN(seed: 2)
            let before = restored.stateDict()
            XCTAssertThrowsError(try loadWeights(into: restored, from: url)) { error in
                XCTAssertTrue("\(error)".contains("tensor \(key) holds"), "\(error)")
            }
            XCTAssertEqual(restored.stateDict(), before, "the network is unchanged")
        }
    }

    func testLoadingWeightsIntoAnotherArchitectureNamesTheKeys() throws {
        let url = directory.appendingPathComponent("weights.safetensors")
        try saveWeights(of: try makeSmallCNN(seed: 1), to: url)
        var generator = SeededGenerator(seed: 0)
        let other = Sequential(try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &generator))
        XCTAssertThrowsError(try loadWeights(into: other, from: url)) { error in
            guard let mismatch = error as? StateDictMismatch else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(mismatch.misshaped.map(\.name), ["0.bias", "0.weight"])
            XCTAssertTrue(mismatch.unexpected.contains("9.weight"))
        }
        let missing = directory.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try loadWeights(into: other, from: missing)) { error in
            XCTAssertTrue("\(error)".contains("absent.safetensors"), "\(error)")
        }
    }

    /// Three steps, a learning-rate change, a checkpoint, a fresh model and optimizer restored
    /// from it, two more steps: the same bits as five uninterrupted steps.
    private func assertResumptionIsExact(_ makeOptimizer: ([Parameter]) throws -> any Optimizer,
                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let data = data()
        let batches = (0..<5).map { step in data.batch((0..<8).map { (step * 3 + $0) % data.count }) }
        func run(_ model: any Layer, _ optimizer: any Optimizer, _ steps: ArraySlice<(images: Tensor, labels: [Int])>) {
            for batch in steps { trainingStep(model, optimizer, images: batch.images, labels: batch.labels) }
        }
        let uninterrupted = try makeSmallCNN(seed: 1)
        let reference = try makeOptimizer(uninterrupted.parameters())
        run(uninterrupted, reference, batches[..<3])
        reference.learningRate *= 0.5
        run(uninterrupted, reference, batches[3...])

        let first = try makeSmallCNN(seed: 1)
        let firstOptimizer = try makeOptimizer(first.parameters())
        run(first, firstOptimizer, batches[..<3])
        firstOptimizer.learningRate *= 0.5
        let url = directory.appendingPathComponent("checkpoint.safetensors")
        try TrainingCheckpoint.save(model: first, optimizer: firstOptimizer, metadata: ["epoch": "3"], to: url)

        let resumed = try makeSmallCNN(seed: 9)
        let resumedOptimizer = try makeOptimizer(resumed.parameters())
        XCTAssertEqual(try TrainingCheckpoint.load(into: resumed, optimizer: resumedOptimizer, from: url).metadata, ["epoch": "3"],
                       file: file, line: line)
        run(resumed, resumedOptimizer, batches[3...])

        XCTAssertEqual(resumedOptimizer.learningRate, reference.learningRate, file: file, line: line)
        let expected = uninterrupted.stateDict(), actual = resumed.stateDict()
        XCTAssertEqual(Set(actual.keys), Set(expected.keys), file: file, line: line)
        XCTAssertEqual(expected.keys.filter { actual[$0] != expected[$0] }.sorted(), [], "keys whose values differ",
                       file: file, line: line)
    }

    func testAdamResumesExactly() throws {
        try assertResumptionIsExact { try Adam(parameters: $0, learningRate: 0.01) }
    }

    func testSGDWithMomentumResumesExactly() throws {
        try assertResumptionIsExact { try SGD(parameters: $0, learningRate: 0.05, momentum: 0.9) }
    }

    func testCheckpointRefusesAnotherOptimizerKind() throws {
        let model = try makeSmallCNN(seed: 1)
        let batch = data().batch([0, 1, 2, 3])
        let adam = try Adam(parameters: model.parameters())
        trainingStep(model, adam, images: batch.images, labels: batch.labels)
        let url = directory.appendingPathComponent("checkpoint.safetensors")
        try TrainingCheckpoint.save(model: model, optimizer: adam, to: url)
        let before = model.stateDict()
        let sgd = try SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9)
        XCTAssertThrowsError(try TrainingCheckpoint.load(into: model, optimizer: sgd, from: url)) { error in
            XCTAssertEqual(error as? OptimizerError, .invalidState("state of a Adam optimizer cannot be restored into SGD"))
        }
        XCTAssertEqual(model.stateDict(), before)
        XCTAssertThrowsError(try TrainingCheckpoint.save(model: model, optimizer: adam, metadata: ["optimizer.kind": "x"], to: url))
        let stranger = Parameter(Tensor.zeros([1]))
        XCTAssertThrowsError(try TrainingCheckpoint.save(model: model, optimizer: try Adam(parameters: [stranger]), to: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .foreignParameter(index: 0))
        }
    }

    func testMalformedCheckpointKeysAndMetadataAreNamed() throws {
        let model = try makeSmallCNN(seed: 1)
        let optimizer = try Adam(parameters: model.parameters())
        let url = directory.appendingPathComponent("edited.safetensors")
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, to: url)
        var contents = try SafeTensors.readContents(from: url)
        contents.tensors["optimizer.exp_avg"] = NamedArray(shape: [1], values: [0])
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: url)
        XCTAssertThrowsError(try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .unexpectedKey(source: url.path, key: "optimizer.exp_avg"))
        }
        contents.tensors["optimizer.exp_avg"] = nil
        contents.metadata["optimizer.learning_rate"] = "fast"
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: url)
        XCTAssertThrowsError(try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .missingMetadata(source: url.path, key: "optimizer.learning_rate"))
        }
    }
}
