import NeuralNetworks
import Randomness
import Tensors
import WeightFiles
import XCTest

/// State-dict keys, order and shapes follow PyTorch; loading checks every key.
final class LayerStateDictTests: XCTestCase {
    /// `nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Linear(4, 2))`.
    private func smallSequential(seed: UInt64 = 1) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential(try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &generator),
                          try BatchNorm2d(4), ReLU(),
                          try Linear(inFeatures: 4, outFeatures: 2, generator: &generator))
    }

    func testSequentialKeysAndShapesMatchPyTorch() throws {
        let model = try smallSequential()
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"])
        XCTAssertEqual(model.namedBuffers().map(\.name), ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        XCTAssertEqual(model.stateDictShapes(), [
            "0.weight": [4, 3, 3, 3], "0.bias": [4],
            "1.weight": [4], "1.bias": [4], "1.running_mean": [4], "1.running_var": [4], "1.num_batches_tracked": [],
            "3.weight": [2, 4], "3.bias": [2],
        ])
    }

    func testNestedNamedSequentialKeys() throws {
        var generator = SeededGenerator(seed: 2)
        // DenseNet-like: features = Sequential(OrderedDict(conv0, norm0, block = Sequential(...))), classifier.
        let block = try Sequential(named: [("norm1", try BatchNorm2d(2)),
                                           ("conv1", try Conv2d(inChannels: 2, outChannels: 2, kernelSize: 1, bias: false, generator: &generator))])
        let features = try Sequential(named: [
            ("conv0", try Conv2d(inChannels: 3, outChannels: 2, kernelSize: 3, bias: false, generator: &generator)),
            ("norm0", try BatchNorm2d(2)),
            ("denseblock1", try Sequential(named: [("denselayer1", block)])),
        ])
        let model = try Sequential(named: [("features", features),
                                           ("classifier", try Linear(inFeatures: 2, outFeatures: 4, generator: &generator))])
        XCTAssertEqual(model.namedParameters().map(\.name), [
            "features.conv0.weight", "features.norm0.weight", "features.norm0.bias",
            "features.denseblock1.denselayer1.norm1.weight", "features.denseblock1.denselayer1.norm1.bias",
            "features.denseblock1.denselayer1.conv1.weight", "classifier.weight", "classifier.bias",
        ])
        XCTAssertEqual(model.namedBuffers().map(\.name), [
            "features.norm0.running_mean", "features.norm0.running_var", "features.norm0.num_batches_tracked",
            "features.denseblock1.denselayer1.norm1.running_mean", "features.denseblock1.denselayer1.norm1.running_var",
            "features.denseblock1.denselayer1.norm1.num_batches_tracked",
        ])
        XCTAssertEqual(model.namedLayers().map(\.name), [
            "", "features", "features.conv0", "features.norm0", "features.denseblock1", "features.denseblock1.denselayer1",
            "features.denseblock1.denselayer1.norm1", "features.denseblock1.denselayer1.conv1", "classifier",
        ])
    }

    func testASharedLayerIsListedUnderBothNamesButOptimizedOnce() throws {
        var generator = SeededGenerator(seed: 4)
        let shared = try Linear(inFeatures: 2, outFeatures: 2, generator: &generator)
        let model = Sequential(shared, ReLU(), shared)
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model.parameters().map(ObjectIdentifier.init), [shared.weight, shared.bias!].map(ObjectIdentifier.init))
    }

    func testRepeatedChildNameIsRejected() throws {
        XCTAssertThrowsError(try Sequential(named: [("a", ReLU()), ("a", ReLU())])) { error in
            XCTAssertEqual(error as? LayerError, .invalidConfiguration(layer: "Sequential", message: "child name 'a' appears twice"))
        }
    }

    func testLoadStateDictListsEveryFaultyKeyAndChangesNothing() throws {
        let model = try smallSequential()
        let before = model.stateDict()
        var faulty = before
        faulty["0.bias"] = nil
        faulty["1.running_var"] = nil
        faulty["2.weight"] = NamedArray(shape: [1], values: [0])
        faulty["3.weight"] = NamedArray(shape: [4, 2], values: Array(repeating: 0, count: 8))
        faulty["1.weight"] = NamedArray(shape: [4], values: [9, 9, 9, 9])
        XCTAssertThrowsError(try model.loadStateDict(faulty)) { error in
            guard let mismatch = error as? StateDictMismatch else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(mismatch.missing, ["0.bias", "1.running_var"])
            XCTAssertEqual(mismatch.unexpected, ["2.weight"])
            XCTAssertEqual(mismatch.misshaped.map(\.name), ["3.weight"])
            XCTAssertEqual(mismatch.misshaped.first?.expected, [2, 4])
            XCTAssertEqual(mismatch.misshaped.first?.found, [4, 2])
        }
        XCTAssertEqual(model.stateDict(), before)

        var inconsistent = before
        inconsistent["1.bias"] = NamedArray(shape: [4], values: [1, 2, 3])
        XCTAssertThrowsError(try model.loadStateDict(inconsistent)) { error in
            XCTAssertEqual(error as? LayerError, .inconsistentArray(key: "1.bias", shape: [4], valueCount: 3))
        }
        XCTAssertEqual(model.stateDict(), before)
    }

    func testLoadStateDictReplacesParametersAndBuffers() throws {
        let source = try smallSequential(seed: 1), target = try smallSequential(seed: 2)
        var state = source.stateDict()
        state["1.running_mean"] = NamedArray(shape: [4], values: [1, 2, 3, 4])
        state["1.num_batches_tracked"] = NamedArray(shape: [], values: [7])
        XCTAssertNotEqual(target.stateDict()["0.weight"], state["0.weight"])
        try target.loadStateDict(state)
        XCTAssertEqual(target.stateDict(), state)
        let norm = try XCTUnwrap(target.layers[1].layer as? BatchNorm2d)
        XCTAssertEqual(norm.numBatchesTracked.scalar, 7)
        XCTAssertEqual(norm.statistics.mean.scalars, [1, 2, 3, 4])
    }
}
