import Foundation
import NetworkTestSupport
import TestSupport
import ModelZoo
import WeightFiles
import XCTest
@testable import LeukemiaKit
@testable import ToolkitSupport

/// Importing, storing and downloading pretrained weights.
final class WeightStoreTests: XCTestCase {
    /// A small VGG with ImageNet-style keys: the architecture files are checked against.
    private func tinyNetwork(seed: UInt64) throws -> VGG {
        try VGG(configuration: VGG.Configuration.vgg16BN.reduced(widthDivisor: 32, hiddenWidth: 8, classCount: 3), seed: seed)
    }

    private func checkpoint(_ tensors: StateDict, in folder: URL, name: String) throws -> URL {
        let file = folder.appendingPathComponent(name)
        try SafeTensors.write(tensors, to: file)
        return file
    }

    func testImportStoresCheckedWeightsWithTheirProvenance() throws {
        let folder = try TemporaryFolder(self)
        let store = WeightStore(folder: folder.url.appendingPathComponent("store"))
        let published = try tinyNetwork(seed: 1).stateDict()
        let source = try checkpoint(published, in: folder.url, name: "tiny.safetensors")
        try store.importWeights(architecture: "tiny", from: source, checkingWith: try tinyNetwork(seed: 2))
        let loaded = try store.load(architecture: "tiny")
        XCTAssertEqual(loaded.stateDict, published)
        XCTAssertEqual(loaded.metadata["source"], "tiny.safetensors")
        XCTAssertEqual(loaded.metadata["source_sha256"], try SHA256.hash(fileAt: source).hexString)
        XCTAssertEqual(store.importedArchitectures(), ["tiny"])
        XCTAssertEqual(try store.verify(architecture: "tiny", checkingWith: try tinyNetwork(seed: 3)).stateDict.count,
                       published.count)
    }

    func testAWrongCheckpointIsRefusedWithEveryFaultyKeyAndNothingIsStored() throws {
        let folder = try TemporaryFolder(self)
        let store = WeightStore(folder: folder.url.appendingPathComponent("store"))
        var wrong = try tinyNetwork(seed: 1).stateDict()
        wrong["classifier.6.bias"] = nil
        wrong["features.0.weight"] = NamedArray(shape: [1], values: [0])
        wrong["head.weight"] = NamedArray(shape: [1], values: [0])
        let source = try checkpoint(wrong, in: folder.url, name: "wrong.safetensors")
        XCTAssertThrowsError(try store.importWeights(architecture: "tiny", from: source, checkingWith: try tinyNetwork(seed: 2))) { error in
            let message = "\(error)"
            for fault in ["classifier.6.bias", "head.weight", "features.0.weight"] { XCTAssertTrue(message.contains(fault), message) }
        }
        XCTAssertEqual(store.importedArchitectures(), [])
        XCTAssertThrowsError(try store.load(architecture: "tiny")) { error in
            XCTAssertTrue("\(error)".contains("leukemia weights import tiny"), "\(error)")
        }
    }

    func testWeightsOfAnotherArchitectureAreNotUsed() throws {
        let folder = try TemporaryFolder(self)
        let store = WeightStore(folder: folder.url)
        let source = try checkpoint(try tinyNetwork(seed: 1).stateDict(), in: folder.url, name: "tiny.safetensors")
        try store.importWeights(architecture: "tiny", from: source, checkingWith: try tinyNetwork(seed: 2))
        try FileManager.default.copyItem(at: store.file(for: "tiny"), to: store.file(for: "other"))
        XCTAssertThrowsError(try store.load(architecture: "other")) { error in
            XCTAssertEqual(error as? WeightStoreError,
                           .wrongArchitecture(file: store.file(for: "other").path, recorded: "tiny", requested: "other"))
        }
    }

    func testDefaultFolderFollowsTheEnvironment() {
        XCTAssertEqual(WeightStore.defaultFolder(environment: ["LEUKEMIA_WEIGHTS_CACHE": "/w"]).path, "/w")
        XCTAssertEqual(WeightStore.defaultFolder(environment: ["XDG_CACHE_HOME": "/c"]).path, "/c/leukemia/weights")
    }

    func testHashPrefixesAreReadFromTorchvisionNames() {
        XCTAssertEqual(WeightDownloader.hashPrefix(inFileName: "densenet201-c1103571.pth"), "c1103571")
        XCTAssertEqual(WeightDownloader.hashPrefix(inFileName: "vgg16_bn-6c64b313.pth"), "6c64b313")
        XCTAssertNil(WeightDownloader.hashPrefix(inFileName: "model.pth"))
        XCTAssertNil(WeightDownloader.hashPrefix(inFileName: "my-model.pth"))
    }

    func testDownloadChecksTheHashPrefixAgainstALoopbackServer() throws {
        let folder = try TemporaryFolder(self)
        let payload = Data((0..<10_000).map { UInt8($0 % 251) })
        let prefix = String(SHA256.hash(payload).hexString.prefix(8))
        let server = try LoopbackHTTPServer(files: ["/models/tiny-\(prefix).pth": payload,
                                                    "/models/tiny-00000000.pth": payload])
        defer { server.stop() }

        let file = try WeightDownloader.download(server.url("/models/tiny-\(prefix).pth"), into: folder.url)
        XCTAssertEqual(try Data(contentsOf: file), payload)

        XCTAssertThrowsError(try WeightDownloader.download(server.url("/models/tiny-00000000.pth"), into: folder.url)) { error in
            XCTAssertTrue("\(error)".contains("00000000"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("tiny-00000000.pth").path),
                       "a file failing the check is deleted")
        XCTAssertThrowsError(try WeightDownloader.download(server.url("/models/absent-12345678.pth"), into: folder.url)) { error in
            XCTAssertTrue("\(error)".contains("404"), "\(error)")
        }
    }
}

/// `fetch` end to end: a whole network's checkpoint served on loopback, hash-checked and imported.
final class WeightFetchTests: XCTestCase {
    func testFetchDownloadsChecksAndImportsAWholeNetwork() throws {
        let folder = try TemporaryFolder(self)
        let source = try PretrainedWeightSource.named("efficientnet-lite0")
        let network = try source.makeImageNetNetwork()
        let checkpoint = try SafeTensors.encode(SafeTensors.Contents(tensors: network.stateDict()))
        let prefix = String(SHA256.hash(checkpoint).hexString.prefix(8))
        let server = try LoopbackHTTPServer(files: ["/models/efficientnet-lite0-\(prefix).safetensors": checkpoint])
        defer { server.stop() }
        let store = WeightStore(folder: folder.url.appendingPathComponent("store"))

        let imported = try PretrainedWeightInstaller.fetch(
            source, url: server.url("/models/efficientnet-lite0-\(prefix).safetensors"), store: store,
            network: try source.makeImageNetNetwork()) { _ in }
        XCTAssertEqual(imported.stateDict, network.stateDict())
        XCTAssertEqual(try store.load(architecture: "efficientnet-lite0").metadata["source_sha256"],
                       SHA256.hash(checkpoint).hexString)
    }
}
