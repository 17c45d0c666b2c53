import Foundation
import NeuralNetworks
import Randomness
import Tensors
import WeightFiles
import XCTest

/// One training-mode step of `Sequential(Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear)`
/// against PyTorch (fixture by scripts/fixtures/layers.py): the PyTorch state dict loads
/// unchanged, and logits, loss, every parameter gradient and the updated buffers agree.
final class LayerPyTorchParityTests: XCTestCase {
    private func fixture() throws -> StateDict {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "small_cnn", withExtension: "safetensors", subdirectory: "Fixtures"))
        return try SafeTensors.read(from: url)
    }

    /// The entries of `fixture` under `prefix`, with the prefix removed.
    private func entries(_ fixture: StateDict, prefix: String) -> StateDict {
        Dictionary(uniqueKeysWithValues: fixture.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        })
    }

    private func assertClose(_ actual: Tensor?, _ expected: NamedArray?, tolerance: Float, _ name: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let actual, let expected else { return XCTFail("\(name) is missing", file: file, line: line) }
        XCTAssertEqual(actual.shape, expected.shape, name, file: file, line: line)
        let worst = zip(actual.scalars, expected.values).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, "\(name): largest difference \(worst)", file: file, line: line)
    }

    func testTrainingStepMatchesPyTorch() throws {
        let fixture = try fixture()
        var generator = SeededGenerator(seed: 0)
        let model = Sequential(try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
                               try BatchNorm2d(4), ReLU(), try MaxPool2d(kernelSize: 2), Flatten(),
                               try Linear(inFeatures: 64, outFeatures: 3, generator: &generator))
        try model.loadStateDict(entries(fixture, prefix: "state."))
        let input = try Tensor(try XCTUnwrap(fixture["input"]))
        let labels = try XCTUnwrap(fixture["labels"]).values.map { Int($0) }

        let logits = model(input)
        let loss = softmaxCrossEntropy(logits: logits, labels: labels)
        loss.backward()

        assertClose(logits, fixture["logits"], tolerance: 1e-5, "logits")
        assertClose(loss, fixture["loss"], tolerance: 1e-5, "loss")
        let gradients = entries(fixture, prefix: "grad.")
        XCTAssertEqual(Set(gradients.keys), Set(model.namedParameters().map(\.name)))
        for (name, parameter) in model.namedParameters() {
            assertClose(parameter.gradient, gradients[name], tolerance: 1e-4, "gradient of \(name)")
        }
        let buffers = entries(fixture, prefix: "after.")
        XCTAssertEqual(buffers["1.num_batches_tracked"]?.values, [4])
        for (name, buffer) in model.namedBuffers() {
            assertClose(buffer.value, buffers[name], tolerance: 1e-5, "buffer \(name)")
        }
    }
}
