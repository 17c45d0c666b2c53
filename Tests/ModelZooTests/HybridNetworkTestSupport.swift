import ModelZoo
import NeuralNetworks
import Randomness
import Tensors

/// Inputs and small networks shared by the HybridNetwork tests.
enum HybridFixtures {
    /// torchvision's ImageNet normalization as a per-channel affine: input = pixel · scale + offset.
    static let imageNet: [PurpleMask.ChannelAffine] = {
        let mean: [Float] = [0.485, 0.456, 0.406], deviation: [Float] = [0.229, 0.224, 0.225]
        return (0..<3).map { PurpleMask.ChannelAffine(scale: 1 / (255 * deviation[$0]), offset: -mean[$0] / deviation[$0]) }
    }()

    /// TensorFlow-style normalization to [-1, 1].
    static let symmetric = Array(repeating: PurpleMask.ChannelAffine(scale: 1 / 127.5, offset: -1), count: 3)

    /// A purple the study's mask accepts (H 0.750, S 1, V 1).
    static let purple: [Float] = [128, 0, 255]
    /// A light pink background the mask rejects (H 0.93, S 0.13, V 0.9).
    static let background: [Float] = [230, 200, 215]

    /// The normalized NHWC batch `[images, side, side, 3]` of 0...255 RGB `pixels` (interleaved,
    /// image after image).
    static func normalized(_ pixels: [Float], images: Int, side: Int,
                           normalization: [PurpleMask.ChannelAffine] = imageNet) throws -> Tensor {
        let values = pixels.enumerated().map { index, pixel in
            pixel * normalization[index % 3].scale + normalization[index % 3].offset
        }
        return try Tensor(shape: [images, side, side, 3], scalars: values)
    }

    /// 0...255 RGB pixels of `side x side` images: `background` with `diskCounts[i]` purple disks of
    /// radius `radius` in image i, placed on a coarse grid of cells in a seeded order, with a little
    /// seeded noise on every channel.
    static func diskImages(diskCounts: [Int], side: Int, radius: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let cellsPerSide = side / (2 * radius + 2)
        let cell = side / cellsPerSide
        var pixels: [Float] = []
        pixels.reserveCapacity(diskCounts.count * side * side * 3)
        for count in diskCounts {
            var cells = Array(0..<(cellsPerSide * cellsPerSide))
            for index in cells.indices.reversed() where index > 0 {
                cells.swapAt(index, Int(generator.next() % UInt64(index + 1)))
            }
            let centers = cells.prefix(count).map { ((($0 / cellsPerSide) * cell + cell / 2), ($0 % cellsPerSide) * cell + cell / 2) }
            for y in 0..<side {
                for x in 0..<side {
                    let inDisk = centers.contains { (y - $0.0) * (y - $0.0) + (x - $0.1) * (x - $0.1) <= radius * radius }
                    let color = inDisk ? purple : background
                    pixels += color.map { min(max($0 + Float(generator.nextNormal()) * 4, 0), 255).rounded() }
                }
            }
        }
        return pixels
    }

    /// A DenseNet backbone small enough for tests: 8 initial channels, growth 4, blocks [1, 1]
    /// (feature count 8 + 4 = 12, halved to 6, + 4 = 10).
    static func tinyBackbone(seed: UInt64) throws -> DenseNet {
        try DenseNet(configuration: DenseNet.Configuration(growthRate: 4, blockLayerCounts: [1, 1], initialFeatures: 8,
                                                           classCount: 4), seed: seed)
    }

    /// A light hybrid for `side x side` images (side a multiple of 4): U-Net widths 4, 8, 16 with
    /// stage conv4 (the first decoder stage, `side / 2`) average-pooled by 4, head widths 32, 16.
    static func smallHybrid(side: Int = 32, headWidths: [Int] = [32, 16], dropout: Float,
                            computesStagesAfterFlattened: Bool = false, classCount: Int = 4, seed: UInt64) throws -> HybridNetwork {
        let configuration = HybridNetwork.Configuration(
            purpleMask: PurpleMask(normalization: imageNet), imageSize: side,
            unet: .init(widths: [4, 8, 16], flattenedStage: 4, flattenPooling: .average(window: 4),
                        computesStagesAfterFlattened: computesStagesAfterFlattened),
            denseHead: .init(widths: headWidths, dropout: dropout, l2: 0.01, classCount: classCount))
        return try HybridNetwork(configuration: configuration, backbone: tinyBackbone(seed: seed &+ 1), seed: seed)
    }

    /// Gives every U-Net parameter (biases included, which start at zero) seeded random values.
    static func randomizeUNet(_ network: HybridNetwork, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for parameter in network.unet.parameters() {
            parameter.value = Tensor.randomUniform(parameter.value.shape, lowerBound: -0.3, upperBound: 0.3,
                                                   generator: &generator)
        }
    }
}
