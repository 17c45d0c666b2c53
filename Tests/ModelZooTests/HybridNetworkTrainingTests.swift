import ModelZoo
import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// The hybrid as a whole: the faithful size, a finite-difference gradient check, and training.
final class HybridNetworkTrainingTests: XCTestCase {
    /// The number of scalars in `layer`'s parameters.
    private func parameterCount(_ layer: any Layer) -> Int {
        layer.parameters().reduce(0) { $0 + $1.value.scalarCount }
    }

    func testFaithfulParameterCount() throws {
        let backbone = try HybridFixtures.tinyBackbone(seed: 1)
        let backboneCount = parameterCount(backbone)
        let network = try HybridNetwork(configuration: .study(normalization: HybridFixtures.imageNet), backbone: backbone,
                                        seed: 2)
        // U-Net, 3x3 convolutions with bias, weights in · out · 9 (+ out biases):
        //   conv1  3→32: 864 + 32 = 896;          32→32: 9,216 + 32 = 9,248        → 10,144
        //   conv2 32→64: 18,432 + 64 = 18,496;    64→64: 36,864 + 64 = 36,928      → 55,424
        //   conv3 64→128: 73,728 + 128 = 73,856;  128→128: 147,456 + 128 = 147,584 → 221,440
        //   conv4 128→256: 294,912 + 256 = 295,168; 256→256: 589,824 + 256 = 590,080 → 885,248
        //   up5 256→128: 294,912 + 128 = 295,040
        //   conv5 256→128: 294,912 + 128 = 295,040; 128→128: 147,584               → 442,624
        //   up6 128→64: 73,728 + 64 = 73,792
        //   conv6 128→64: 73,728 + 64 = 73,792;   64→64: 36,928                    → 110,720
        //   up7 64→32: 18,432 + 32 = 18,464
        //   conv7 64→32: 18,432 + 32 = 18,464;    32→32: 9,248                     → 27,712
        //   total 2,140,608
        // Head on 56 · 56 · 128 = 401,408 U-Net features + 10 backbone features = 401,418:
        //   dense1 401,418 · 512 + 512 = 205,526,528; norm1 2 · 512 = 1,024
        //   dense2 512 · 256 + 256 = 131,328;        norm2 512
        //   dense3 256 · 128 + 128 = 32,896;         norm3 256
        //   output 128 · 4 + 4 = 516                                               → 205,693,060
        XCTAssertEqual(network.unet.flattenedFeatureCount, 401_408)
        XCTAssertEqual(parameterCount(network.unet), 2_140_608)
        XCTAssertEqual(parameterCount(network), backboneCount + 2_140_608 + 205_693_060)
        XCTAssertEqual(network.featureMapNames.prefix(5), ["unet.conv1", "unet.conv2", "unet.conv3", "unet.conv4", "unet.conv5"])
    }

    func testLightParameterCount() throws {
        let backbone = try HybridFixtures.tinyBackbone(seed: 1)
        let backboneCount = parameterCount(backbone)
        let network = try HybridNetwork(configuration: .light(normalization: HybridFixtures.imageNet), backbone: backbone,
                                        seed: 2)
        // U-Net widths 16, 32, 64, 128 (the dead conv6, conv7, up6, up7 exist but are not computed):
        //   conv1 448 + 2,320 = 2,768; conv2 4,640 + 9,248 = 13,888; conv3 18,496 + 36,928 = 55,424;
        //   conv4 73,856 + 147,584 = 221,440; up5 73,792; conv5 73,792 + 36,928 = 110,720; up6 18,464;
        //   conv6 18,464 + 9,248 = 27,712; up7 4,624; conv7 4,624 + 2,320 = 6,944        → 535,776
        // Head on 7 · 7 · 64 = 3,136 + 10 = 3,146 features:
        //   dense1 3,146 · 512 + 512 = 1,611,264; norm1 1,024; dense2 131,328; norm2 512;
        //   dense3 32,896; norm3 256; output 516                                          → 1,777,796
        XCTAssertEqual(network.unet.flattenedFeatureCount, 3_136)
        XCTAssertEqual(parameterCount(network), backboneCount + 535_776 + 1_777_796)
    }

    func testGradientMatchesFiniteDifferences() throws {
        // Training mode (batch statistics in every batch norm) with dropout 0, so the loss is a
        // deterministic function of the parameters.
        let network = try HybridFixtures.smallHybrid(side: 16, dropout: 0, seed: 21)
        HybridFixtures.randomizeUNet(network, seed: 22)
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [0, 1, 2, 3], side: 16, radius: 2,
                                                                            seed: 23), images: 4, side: 16)
        let labels = [0, 1, 2, 3]
        func loss() -> Tensor {
            softmaxCrossEntropy(logits: network(images), labels: labels) + network.regularizationPenalty()!
        }
        loss().backward()
        let keys = ["unet.conv1.0.weight", "unet.up4.weight", "unet.conv4.2.bias", "backbone.features.conv0.weight",
                    "backbone.features.denseblock2.denselayer1.norm1.weight", "head.dense1.weight", "head.norm2.bias",
                    "head.output.weight"]
        let parameters = Dictionary(uniqueKeysWithValues: network.namedParameters().map { ($0.name, $0.parameter) })
        for key in keys {
            let parameter = try XCTUnwrap(parameters[key], key)
            let gradient = try XCTUnwrap(parameter.gradient, key).scalars
            let original = parameter.value
            func centralDifference(_ element: Int, _ step: Float) throws -> Float {
                func shiftedLoss(_ delta: Float) throws -> Float {
                    var values = original.scalars
                    values[element] += delta
                    parameter.value = try Tensor(shape: original.shape, scalars: values)
                    defer { parameter.value = original }
                    return Tensor.withoutGradients { loss().scalar }
                }
                return try (shiftedLoss(step) - shiftedLoss(-step)) / (2 * step)
            }
            // Among the 10 largest gradients, the first 2 elements where the loss is smooth (central
            // differences at steps 2e-4 and 1e-4 agree; a ReLU or max-pool switch nearby breaks that).
            var checked = 0
            for element in gradient.indices.sorted(by: { abs(gradient[$0]) > abs(gradient[$1]) }).prefix(10) where checked < 2 {
                let coarse = try centralDifference(element, 2e-4), fine = try centralDifference(element, 1e-4)
                guard abs(coarse - fine) <= 5e-3 * abs(fine) + 1e-3 else { continue }
                XCTAssertEqual(gradient[element], fine, accuracy: 1e-2 * abs(fine) + 3e-3, "\(key)[\(element)]")
                checked += 1
            }
            XCTAssertEqual(checked, 2, "\(key): too few smooth elements among the largest gradients")
        }
    }

    /// Trains a light hybrid (U-Net widths 4, 8, 16, conv4 pooled 4 x 4; head 128, 64 with the
    /// study's dropout 0.7 and L2 0.01) on purple-disk counting (class = number of disks, 0 ... 3,
    /// 32 images of 32 x 32), full batch, Adam 1e-2; returns the training-mode cross-entropy of
    /// every step.
    private func trainOnDiskCounting(steps: Int, seed: UInt64) throws -> [Float] {
        let network = try HybridFixtures.smallHybrid(side: 32, headWidths: [128, 64], dropout: 0.7, seed: seed)
        let labels = (0..<32).map { $0 % 4 }
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: labels, side: 32, radius: 3,
                                                                            seed: seed &+ 2), images: 32, side: 32)
        let optimizer = try Adam(parameters: network.parameters(), learningRate: 1e-2)
        var losses: [Float] = []
        for _ in 0..<steps {
            optimizer.zeroGradients()
            let crossEntropy = softmaxCrossEntropy(logits: network(images), labels: labels)
            (crossEntropy + network.regularizationPenalty()!).backward()
            optimizer.step()
            losses.append(crossEntropy.scalar)
        }
        return losses
    }

    func testLightVariantLearnsToCountPurpleDisksDeterministically() throws {
        let start = Date()
        let losses = try trainOnDiskCounting(steps: 40, seed: 31)
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        print("disk counting: mean cross-entropy of the first 5 steps \(first), of the last 5 \(last), "
              + "40 steps in \(Date().timeIntervalSince(start)) s")
        // Below half the first steps' loss and below half the chance level ln 4 = 1.386.
        XCTAssertLessThan(last, first / 2, "losses \(losses)")
        XCTAssertLessThan(last, 0.693, "losses \(losses)")
        XCTAssertEqual(try trainOnDiskCounting(steps: 3, seed: 31), Array(losses.prefix(3)))
    }
}
