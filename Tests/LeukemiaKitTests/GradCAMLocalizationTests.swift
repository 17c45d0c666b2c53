import Imaging
import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import XCTest
@testable import LeukemiaKit

/// A small VGG trained in the test on images whose class is the colour of a square patch placed at
/// random on grey noise: Grad-CAM of the true class puts most of its heat on the patch.
final class GradCAMLocalizationTests: XCTestCase {
    static let side = 32, patch = 16
    /// Class 0's patch is purple, class 1's green; the background is grey noise (each pixel's grey
    /// level uniform on 64...192), so the patch's colour alone decides the class.
    static let colors: [(UInt8, UInt8, UInt8)] = [(128, 48, 176), (48, 176, 96)]

    struct Sample {
        let image: RGBImage
        let label: Int
        /// The patch's top-left corner.
        let x: Int, y: Int
    }

    static func samples(count: Int, seed: UInt64) -> [Sample] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let label = index % 2
            var pixels = [UInt8](repeating: 0, count: side * side * 3)
            for offset in stride(from: 0, to: pixels.count, by: 3) {
                let grey = UInt8(64 + Int(generator.next() % 129))
                (pixels[offset], pixels[offset + 1], pixels[offset + 2]) = (grey, grey, grey)
            }
            let x = Int(generator.next() % UInt64(side - patch + 1)), y = Int(generator.next() % UInt64(side - patch + 1))
            let color = colors[label]
            for row in y..<(y + patch) {
                for column in x..<(x + patch) {
                    let offset = (row * side + column) * 3
                    (pixels[offset], pixels[offset + 1], pixels[offset + 2]) = color
                }
            }
            return Sample(image: try! RGBImage(width: side, height: side, pixels: pixels), label: label, x: x, y: y)
        }
    }

    func testHeatOfTheTrueClassLiesOnThePatch() throws {
        // conv 8, conv 16 (the explained map `features.5`, the ReLU before the pool: 32 x 32, each
        // unit seeing 5 x 5 pixels), pool, adaptive 7 x 7 pooling, hidden layers of 32. With the
        // map at the input's resolution, the heat that a perfect localizer leaks is the 2-pixel
        // ring its receptive fields reach beyond the patch. (With a pooling before the map, the
        // fraction was 0.71 to 0.75 on average, 0.66 to 0.69 at worst.)
        let configuration = VGG.Configuration(items: [.convolution(8), .convolution(16), .maxPool],
                                              batchNorm: true, hiddenWidth: 32, dropout: 0, classCount: 2)
        let network = try VGG(configuration: configuration, seed: 21)
        let training = Self.samples(count: 192, seed: 22), heldOut = Self.samples(count: 24, seed: 23)
        let optimizer = try Adam(parameters: network.parameters(), learningRate: 3e-3)
        var shuffler = SeededGenerator(seed: 24)
        network.train()
        for epoch in 0..<6 {
            let order = Array(training.indices).shuffled(using: &shuffler)
            for start in stride(from: 0, to: order.count, by: 16) {
                let batch = order[start..<min(start + 16, order.count)].map { training[$0] }
                let images = try ImageBatchLoader.inputTensor(of: batch.map(\.image), epoch: epoch, firstPosition: start,
                                                              augmentation: nil, normalization: .imageNet, seed: 0) { "\($0)" }
                trainingStep(network, optimizer, images: images, labels: batch.map(\.label))
            }
        }

        let gradCAM = GradCAM(network: network, normalization: .imageNet)
        XCTAssertEqual(gradCAM.defaultLayers, ["features.5"])
        let explanations = try gradCAM.explain(heldOut.map(\.image))
        var fractions: [Float] = []
        for (sample, explanation) in zip(heldOut, explanations) {
            XCTAssertEqual(explanation.predictedClassIndex, sample.label, "the network learned the colours")
            let map = try XCTUnwrap(try gradCAM.explain([sample.image], classIndex: sample.label).first?.maps.first)
            var inside: Float = 0
            for row in sample.y..<(sample.y + Self.patch) {
                for column in sample.x..<(sample.x + Self.patch) { inside += map.value(x: column, y: row) }
            }
            fractions.append(inside / map.values.reduce(0, +))
        }
        XCTAssertGreaterThanOrEqual(fractions.min()!, 0.7, "heat fractions on the patch: \(fractions)")
    }
}
