import Foundation
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// One training-mode step of `Sequential(Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear)`
/// against PyTorch (fixture by scripts/fixtures/layers.py): the PyTorch state dict loads
/// unchanged, and logits, loss, every parameter gradient and the updated buffers agree.
final class LayerPyTorchParityTests: XCTestCase {
    private func fixture() throws -> StateDict {
        try SafeTensors.read(from: FixtureFolder(.module).url("small_cnn.safetensors"))
    }

    /// The entries of `fixture` under `prefix`, with the prefix removed.
    private func entries(_ fixture: StateDict, prefix: String) -> StateDict {
        Dictionary(uniqueKeysWithValues: fixture.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        })
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

        assertClose(logits, try fixture["logits"].map(Tensor.init), "logits", tolerance: .elementwise(1e-5))
        assertClose(loss, try fixture["loss"].map(Tensor.init), "loss", tolerance: .elementwise(1e-5))
        let gradients = entries(fixture, prefix: "grad.")
        XCTAssertEqual(Set(gradients.keys), Set(model.namedParameters().map(\.name)))
        for (name, parameter) in model.namedParameters() {
            assertClose(parameter.gradient, try gradients[name].map(Tensor.init), "gradient of \(name)",
                        tolerance: .elementwise(1e-4))
        }
        let buffers = entries(fixture, prefix: "after.")
        XCTAssertEqual(buffers["1.num_batches_tracked"]?.values, [4])
        for (name, buffer) in model.namedBuffers() {
            assertClose(buffer.value, try buffers[name].map(Tensor.init), "buffer \(name)", tolerance: .elementwise(1e-5))
        }
    }
}
