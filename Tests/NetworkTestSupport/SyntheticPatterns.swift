import NeuralNetworks
import Randomness
import Tensors

/// A seeded image task for training tests: 16x16 RGB images of four textures (horizontal
/// stripes, vertical stripes, checkerboard, centred square) with a random phase, a random tint
/// (so colour alone does not give the class away) and Gaussian noise.
public struct SyntheticPatterns {
    public static let side = 16
    public static let classes = 4
    /// NHWC pixels of all images, `count · side · side · 3` floats.
    public let pixels: [Float]
    public let labels: [Int]

    /// `perClass` images of each class, in shuffled order.
    public init(perClass: Int, noise: Float = 0.3, generator: inout SeededGenerator) {
        let side = Self.side
        var labels = (0..<Self.classes).flatMap { Array(repeating: $0, count: perClass) }
        labels.shuffle(using: &generator)
        var pixels = [Float](repeating: 0, count: labels.count * side * side * 3)
        for (image, label) in labels.enumerated() {
            let phase = Int(generator.next() % 4)
            let tint = (0..<3).map { _ in 0.4 + 0.6 * generator.nextUnitFloat() }
            for y in 0..<side {
                for x in 0..<side {
                    let on: Bool = switch label {
                    case 0: (y + phase) % 4 < 2
                    case 1: (x + phase) % 4 < 2
                    case 2: ((x + phase) / 2 + (y + phase) / 2) % 2 == 0
                    default: abs(2 * y - side + 1) < side / 2 + phase && abs(2 * x - side + 1) < side / 2 + phase
                    }
                    for channel in 0..<3 {
                        let value = (on ? tint[channel] : 0) + noise * Float(generator.nextNormal())
                        pixels[((image * side + y) * side + x) * 3 + channel] = value
                    }
                }
            }
        }
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The images at `indices` as one NHWC batch, with their labels.
    public func batch(_ indices: [Int]) -> (images: Tensor, labels: [Int]) {
        let imageSize = Self.side * Self.side * 3
        let images = Tensor(shape: [indices.count, Self.side, Self.side, 3]) { batch in
            pixels.withUnsafeBufferPointer { source in
                for (position, index) in indices.enumerated() {
                    let start = source.baseAddress! + index * imageSize
                    (batch.baseAddress! + position * imageSize).update(from: start, count: imageSize)
                }
            }
        }
        return (images, indices.map { labels[$0] })
    }
}

/// conv-bn-relu-pool twice, then a linear classifier: `[n, 16, 16, 3]` -> `[n, 4]` logits.
public func makeSmallCNN(seed: UInt64) throws -> Sequential {
    var generator = SeededGenerator(seed: seed)
    return Sequential(
        try Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, generator: &generator),
        try BatchNorm2d(8), ReLU(), try MaxPool2d(kernelSize: 2),
        try Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, padding: 1, generator: &generator),
        try BatchNorm2d(16), ReLU(), try MaxPool2d(kernelSize: 2),
        Flatten(), try Linear(inFeatures: 16 * 4 * 4, outFeatures: SyntheticPatterns.classes, generator: &generator))
}

/// One optimizer step on the mean cross-entropy of `batch`; returns the loss.
@discardableResult
public func trainingStep(_ model: any Layer, _ optimizer: any Optimizer, images: Tensor, labels: [Int]) -> Float {
    optimizer.zeroGradients()
    let loss = softmaxCrossEntropy(logits: model(images), labels: labels)
    loss.backward()
    optimizer.step()
    return loss.scalar
}

/// The fraction of `data` that `model` (in evaluation mode) classifies correctly.
public func accuracy(of model: any Layer, on data: SyntheticPatterns) -> Double {
    let batch = data.batch(Array(0..<data.count))
    let predictions = Tensor.withoutGradients { model(batch.images).argmax(alongAxis: 1) }
    return Double(zip(predictions, batch.labels).filter { $0 == $1 }.count) / Double(data.count)
}
