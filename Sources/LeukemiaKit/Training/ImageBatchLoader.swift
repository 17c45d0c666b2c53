import Foundation
import ModelZoo
import Imaging
import Randomness
import Tensors
import ToolkitSupport
import Datasets

/// One batch of network inputs: images as an NHWC tensor, their class indices, and their
/// positions in the image set.
public struct ImageBatch {
    public var inputs: Tensor
    public var labels: [Int]
    public var indices: [Int]
}

/// Makes the batches of each epoch from a `DecodedImageSet`: shuffles, augments and normalizes
/// on a background thread while the network works on the previous batch, so the network never
/// waits for data unless preparing a batch takes longer than training on one.
///
/// Every random choice derives from `seed`, the epoch and the image's position in the epoch, so
/// an epoch's batches are identical however the threads are scheduled, and a resumed training
/// sees the same batches as an uninterrupted one.
public final class ImageBatchLoader: @unchecked Sendable {
    public struct Settings: Sendable {
        public var batchSize: Int
        public var normalization: InputNormalization
        /// Augmentation for training; nil for validation, test and prediction.
        public var augmentation: AugmentationPolicy?
        public var shuffle: Bool
        public var seed: UInt64
        /// How many batches may be prepared ahead of the consumer.
        public var prefetchCount: Int

        public init(batchSize: Int, normalization: InputNormalization, augmentation: AugmentationPolicy? = nil,
                    shuffle: Bool = false, seed: UInt64 = 0, prefetchCount: Int = 2) {
            self.batchSize = batchSize
            self.normalization = normalization
            self.augmentation = augmentation
            self.shuffle = shuffle
            self.seed = seed
            self.prefetchCount = prefetchCount
        }
    }

    public let images: DecodedImageSet
    public let settings: Settings

    public init(images: DecodedImageSet, settings: Settings) {
        self.images = images
        self.settings = settings
    }

    /// Batches per epoch (the last one may be smaller).
    public var batchCount: Int { (images.count + settings.batchSize - 1) / settings.batchSize }

    /// The order in which epoch `epoch` visits the images.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<images.count)
        if settings.shuffle {
            var generator = SeededGenerator(seed: settings.seed).derived(UInt64(epoch))
            order.shuffle(using: &generator)
        }
        return order
    }

    /// Builds batch `batch` of epoch `epoch` (used by the background worker, and directly in tests).
    public func makeBatch(epoch: Int, batch: Int, order: [Int]) throws -> ImageBatch {
        let start = batch * settings.batchSize
        let indices = Array(order[start..<min(start + settings.batchSize, order.count)])
        guard !indices.isEmpty else { throw ImageBatchError.emptyBatch(epoch: epoch, batch: batch) }
        let inputs = try Self.inputTensor(of: indices.map { images.images[$0] }, epoch: epoch, firstPosition: start,
                                          augmentation: settings.augmentation, normalization: settings.normalization,
                                          seed: settings.seed) { images.paths[indices[$0]] }
        return ImageBatch(inputs: inputs, labels: indices.map { images.labels[$0] }, indices: indices)
    }

    /// The normalized NHWC tensor `[count, height, width, 3]` of `images` (all of the first one's
    /// size; at least one), built on both cores. With an `augmentation`, image `slot` is augmented with a
    /// generator derived from `seed`, `epoch` and its position `firstPosition + slot`, so the same
    /// image at the same position of the same epoch always gets the same view.
    /// - Throws: `ImageBatchError.mixedSizes` naming the image (`name(slot)`) of another size;
    ///   what the augmentation throws.
    static func inputTensor(of images: [RGBImage], epoch: Int, firstPosition: Int, augmentation: AugmentationPolicy?,
                            normalization: InputNormalization, seed: UInt64, name: (Int) -> String) throws -> Tensor {
        precondition(!images.isEmpty, "inputTensor needs at least one image")
        let first = images[0]
        let (width, height) = (first.width, first.height)
        let imageSize = width * height * 3
        var failure: Error?
        let failureLock = NSLock()
        let inputs = Tensor(shape: [images.count, height, width, 3]) { buffer in
            DispatchQueue.concurrentPerform(iterations: images.count) { slot in
                do {
                    var image = images[slot]
                    if let augmentation {
                        var generator = SeededGenerator(seed: seed).derived(UInt64(epoch) << 32 | UInt64(firstPosition + slot))
                        image = try augmentation.augment(image, generator: &generator)
                    }
                    guard image.width == width, image.height == height else {
                        throw ImageBatchError.mixedSizes(name(slot), width: image.width, height: image.height,
                                                         expected: "\(width)x\(height)")
                    }
                    normalization.write(image, into: UnsafeMutableBufferPointer(
                        rebasing: buffer[(slot * imageSize)..<((slot + 1) * imageSize)]))
                } catch {
                    failureLock.withLock { failure = failure ?? error }
                }
            }
        }
        if let failure { throw failure }
        return inputs
    }

    /// The batches of epoch `epoch`, prepared ahead on a background thread.
    public func batches(epoch: Int) -> PrefetchingBatches {
        PrefetchingBatches(loader: self, epoch: epoch)
    }
}

/// The batches of one epoch, produced by a background thread at most `prefetchCount` ahead.
/// Dropping the sequence before its end stops the thread.
public final class PrefetchingBatches: Sequence, IteratorProtocol {
    private let prefetcher: Prefetcher<Result<ImageBatch, Error>>

    init(loader: ImageBatchLoader, epoch: Int) {
        let order = loader.order(epoch: epoch)
        prefetcher = Prefetcher(count: loader.batchCount, ahead: loader.settings.prefetchCount,
                                threadName: "leukemia.batch-loader") { batch in
            Result { try loader.makeBatch(epoch: epoch, batch: batch, order: order) }
        }
    }

    /// The next batch, waiting for the worker if needed.
    public func next() -> Result<ImageBatch, Error>? { prefetcher.next() }
}

/// Why a batch could not be made.
public enum ImageBatchError: DescribedError, Equatable {
    case emptyBatch(epoch: Int, batch: Int)
    case mixedSizes(String, width: Int, height: Int, expected: String)

    public var description: String {
        switch self {
        case let .emptyBatch(epoch, batch): return "batch \(batch) of epoch \(epoch) has no image"
        case let .mixedSizes(path, width, height, expected):
            return "\(path) is \(width)x\(height) after preprocessing; the batch needs \(expected)"
        }
    }
}
