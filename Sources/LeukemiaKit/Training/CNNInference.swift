import Foundation
import Imaging
import ModelZoo
import Tensors

/// Class probabilities from a trained network, optionally averaged over test-time augmented views.
public struct CNNInference {
    public let network: any ImageClassifierNetwork
    public let options: CNNTrainingOptions
    /// Augmented views averaged with the unaltered image (0: none). Views use the run's training
    /// augmentation (the study's when the run trained without one), seeded by the run's seed, the
    /// view and the image's position, so results are reproducible.
    public let testTimeAugmentation: Int

    public init(network: any ImageClassifierNetwork, options: CNNTrainingOptions, testTimeAugmentation: Int = 0) {
        self.network = network
        self.options = options
        self.testTimeAugmentation = testTimeAugmentation
    }

    /// Softmax probabilities (in `LeukemiaClass` order) of `images`, each already `inputSize` square.
    public func probabilities(of images: [RGBImage]) throws -> [[Double]] {
        guard !images.isEmpty else { return [] }
        network.eval()
        let classCount = network.classCount
        var sums = [Double](repeating: 0, count: images.count * classCount)
        let set = DecodedImageSet(images: images, labels: Array(repeating: 0, count: images.count),
                                  paths: images.indices.map { "image \($0)" }, skipped: [:])
        for view in 0...testTimeAugmentation {
            let loader = ImageBatchLoader(images: set, settings: .init(
                batchSize: options.batchSize, normalization: options.normalization,
                augmentation: view == 0 ? nil : (options.augmentation ?? .study), shuffle: false,
                seed: options.seed, prefetchCount: options.prefetchCount))
            for result in loader.batches(epoch: view) {
                let batch = try result.get()
                let probabilities = Tensor.withoutGradients { softmax(network(batch.inputs)) }
                probabilities.withUnsafeBufferPointer { p in
                    for (slot, index) in batch.indices.enumerated() {
                        for c in 0..<classCount { sums[index * classCount + c] += Double(p[slot * classCount + c]) }
                    }
                }
            }
        }
        let views = Double(testTimeAugmentation + 1)
        return images.indices.map { index in (0..<classCount).map { sums[index * classCount + $0] / views } }
    }
}
