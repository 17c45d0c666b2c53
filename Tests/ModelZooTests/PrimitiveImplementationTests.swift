@testable import ModelZoo
import NeuralNetworks
import Tensors
import XCTest

/// On the CPU at hand, no oneDNN primitive that a training step or the inference of a small
/// network of each architecture uses falls to one of oneDNN's `ref:` (reference, unvectorized)
/// kernels: the implementations are what oneDNN reports for each primitive it creates
/// (`PrimitiveImplementations`), after emptying the primitive cache so that every one is created
/// anew. Run with `ONEDNN_MAX_CPU_ISA=AVX2` an AVX-512 machine answers as an AVX2 one (AMD Zen 3).
final class PrimitiveImplementationTests: XCTestCase {
    func testTrainingStepsAndInferenceUseNoReferenceKernel() throws {
        try PrimitiveImplementations.reset()
        var vgg = VGG.Configuration.vgg16.reduced(widthDivisor: 4, hiddenWidth: 16, classCount: 4)
        vgg.batchNorm = true
        let networks: [(name: String, network: any ImageClassifierNetwork, size: Int)] = [
            ("vgg16-bn (widths 16-128, Winograd where available)", try VGG(configuration: vgg, seed: 1), 32),
            ("densenet", try DenseNet(configuration: ParityTests.denseNetTiny, seed: 2), 35),
            ("convnext", try ConvNeXt(configuration: ParityTests.convNeXtTiny, seed: 3), 32),
            ("efficientnet-lite", try EfficientNetLite(configuration: ParityTests.liteReduced, seed: 4), 64),
            ("hybrid (light U-Net on a DenseNet)", try HybridFixtures.smallHybrid(dropout: 0.3, seed: 5), 32),
        ]
        for (name, network, size) in networks {
            let images = InferenceOptimizationTests.images(batch: 2, size: size, seed: 6)
            network.train()
            softmaxCrossEntropy(logits: network(images), labels: [0, 1]).backward()
            XCTAssertTrue(network.parameters().contains { $0.gradient != nil }, "\(name): the step ran backward")
            network.eval()
            _ = Tensor.withoutGradients { network(images) }
            _ = network.inferenceNetworkIfOptimizable().map { $0(images) }
        }
        let recorded = PrimitiveImplementations.recorded
        let byImplementation = Dictionary(grouping: recorded, by: \.implementation).mapValues(\.count)
        print("oneDNN \(OneDNNLibrary.version) on \(OneDNNLibrary.instructionSet): "
              + byImplementation.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        XCTAssertGreaterThan(recorded.count, 50, "every network created its convolutions, normalizations and poolings anew")
        XCTAssertTrue(recorded.contains { $0.primitive.contains("pool") }, "poolings were recorded")
        let reference = recorded.filter { $0.implementation.hasPrefix("ref") }
        XCTAssertTrue(reference.isEmpty, "on \(OneDNNLibrary.instructionSet), reference kernels: "
                      + reference.map { "\($0.primitive) → \($0.implementation)" }.joined(separator: "; "))
    }
}
