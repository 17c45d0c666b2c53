import Foundation
import Imaging
import ModelZoo
import XCTest
@testable import LeukemiaKit
@testable import Datasets

/// `predict` and `evaluate` run a trained network through its optimized inference network (batch
/// norms folded, activations fused); these tests hold it to the training graph's probabilities.
final class OptimizedInferenceTests: XCTestCase {
    /// The largest absolute difference between two probability tables of the same shape.
    private func largestDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
    }

    func testATrainedRunGivesTheTrainingGraphsProbabilitiesThroughTheOptimizedNetwork() throws {
        let fixture = try CNNTestFixture(self)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 2), run: "run"))
        let run = try CNNRun.open(fixture.run("run").url)
        XCTAssertTrue(run.inference.usesOptimizedNetwork, "DenseNet has an inference network")
        let files = try fixture.files(of: .test, in: fixture.run("run")).map(\.url)
        let optimized = try run.probabilities(forFilesAt: files).map { try $0.get() }
        let images = try files.map { try ImageDecoder.decode(fileAt: $0) }
        let graph = try CNNInference(network: run.inference.network, options: run.options, optimized: false).probabilities(of: images)
        XCTAssertLessThan(largestDifference(optimized, graph), 1e-4)

        // Encoded bytes answer exactly as the files they came from; a broken one is named and skipped.
        var encoded = try files.map { EncodedImage.bytes(try Data(contentsOf: $0), name: $0.lastPathComponent) }
        encoded.insert(.bytes(Data("not an image".utf8), name: "note.txt"), at: 1)
        let results = try run.probabilities(ofEncoded: encoded)
        XCTAssertThrowsError(try results[1].get()) { XCTAssertTrue("\($0)".contains("note.txt"), "\($0)") }
        let fromBytes = results.compactMap { try? $0.get() }
        XCTAssertEqual(fromBytes.count, files.count)
        XCTAssertEqual(fromBytes, optimized)
    }

    func testImageNetLite0UnderANewHeadAgreesWithItsTrainingGraphOnRealImages() throws {
        let store = try RealData.lite0WeightStore()
        let files = try Self.firstImages(perClass: 3)
        var options = try CNNTrainingOptions.study(NetworkDescription(.efficientnetLite0, classCount: 4), seed: 3)
        options.batchSize = 5
        let network = try options.blueprint.makeNetwork(seed: options.seed)
        try network.loadBackbone(store.load(architecture: "efficientnet-lite0").stateDict)
        let images = try files.map { try ImageDecoder.decode(fileAt: $0) }
        let fast = CNNInference(network: network, options: options)
        XCTAssertTrue(fast.usesOptimizedNetwork)
        let graph = try CNNInference(network: network, options: options, optimized: false).probabilities(of: images)
        XCTAssertLessThan(largestDifference(try fast.probabilities(of: images), graph), 1e-4)
    }

    /// The light hybrid on an ImageNet EfficientNet-Lite0, on real smears (whose purple cells the
    /// U-Net branch sees through the mask): the optimized network against the training graph, with
    /// every batch norm randomized (the backbone's ImageNet statistics too) so that folding the
    /// head's is not the identity.
    func testLightHybridOnImageNetLite0AgreesWithItsTrainingGraphOnRealImages() throws {
        let store = try RealData.lite0WeightStore()
        let files = try Self.firstImages(perClass: 2)
        let description = NetworkDescription(.hybrid, backbone: .efficientnetLite0, hybridVariant: .light, classCount: 4)
        var options = try CNNTrainingOptions.study(description, seed: 4)
        options.batchSize = 5
        let network = try options.blueprint.makeNetwork(seed: options.seed)
        try network.pretrainedBody.loadBackbone(store.load(architecture: "efficientnet-lite0").stateDict)
        network.randomizeNormalizationForParityChecks(seed: 5)
        let images = try files.map { try ImageDecoder.decode(fileAt: $0) }
        let fast = CNNInference(network: network, options: options)
        XCTAssertTrue(fast.usesOptimizedNetwork, "the hybrid has an inference network")
        let graph = try CNNInference(network: network, options: options, optimized: false).probabilities(of: images)
        XCTAssertLessThan(largestDifference(try fast.probabilities(of: images), graph), 1e-4)
    }

    /// The first `perClass` JPEG files (by path) of each class folder of the ALL data.
    private static func firstImages(perClass: Int) throws -> [URL] {
        let data = try RealData.allFolder()
        return try ["Benign", "Early", "Pre", "Pro"].flatMap { name in
            try FileManager.default.contentsOfDirectory(at: data.appendingPathComponent(name), includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }.prefix(perClass)
        }
    }

    /// With `LEUKEMIA_REAL_RUN=RUN_DIR` (a run trained on the ALL data), its whole test part: the
    /// optimized network's probabilities against the training graph's. Skipped otherwise.
    func testARealRunsTestPartThroughBothPaths() throws {
        guard let path = ProcessInfo.processInfo.environment["LEUKEMIA_REAL_RUN"] else {
            throw XCTSkip("set LEUKEMIA_REAL_RUN to a run directory trained on real data")
        }
        let run = try CNNRun.open(URL(fileURLWithPath: path))
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let folder = try ImageFolder.scan(URL(fileURLWithPath: run.configuration.dataDirectory), requireAllClasses: false)
        let files = try manifest.resolve(against: folder).assigned.filter { $0.part == .test }.map { folder.url(of: $0.image) }
        let images = try files.map { try ImageDecoder.decode(fileAt: $0).resized(width: run.inputSize, height: run.inputSize) }
        let optimized = try run.probabilities(of: images)
        let graph = try CNNInference(network: run.inference.network, options: run.options, optimized: false).probabilities(of: images)
        let difference = largestDifference(optimized, graph)
        print("real run \(path): \(files.count) test images, largest probability difference \(difference)")
        XCTAssertLessThan(difference, 1e-4)
    }
}
