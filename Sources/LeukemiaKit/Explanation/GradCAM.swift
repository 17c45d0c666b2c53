import Imaging
import ModelZoo
import Tensors

/// Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
/// Localization", ICCV 2017) computed with the engine's own gradients.
///
/// For an image, a class c and a feature map A `[h, w, K]` of the network (one of its
/// `featureMapNames`, in NHWC):
///
/// - alpha_k = (1 / (h · w)) Σ_ij ∂y_c / ∂A_ijk, where y_c is the logit (the score before softmax)
///   of c;
/// - the coarse map is ReLU(Σ_k alpha_k A_k), `h x w`;
/// - `GradCAMMap` upsamples it bilinearly to the input size and divides it by its maximum, so that
///   it lies in [0, 1] with 1 at the hottest pixel; an all-zero map stays zero.
///
/// For a network whose feature map is globally average-pooled into its linear head (DenseNet's
/// `features.norm5` through a ReLU, EfficientNet-Lite's `head`), alpha_k is the head's weight of
/// channel k for c over h · w (where the ReLU lets it through), and the map is the class activation
/// map (CAM) of Zhou et al. (2016).
///
/// The default class is the predicted (arg-max) one. One forward pass and one backward pass, from
/// the logits down to the explained maps only, give every requested layer's map for a batch of
/// images (`ImageClassifierNetwork.logits(_:exposing:)`); the network runs in evaluation mode.
///
/// ```swift
/// let gradCAM = GradCAM(network: run.inference.network, normalization: run.options.normalization)
/// let explanation = try gradCAM.explain([image])[0]     // image: inputSize x inputSize
/// let overlay = try explanation.maps[0].overlay(on: image)
/// ```
public struct GradCAM {
    public let network: any ImageClassifierNetwork
    /// How pixels become the network's inputs (the run's).
    public let normalization: InputNormalization

    public init(network: any ImageClassifierNetwork, normalization: InputNormalization) {
        self.network = network
        self.normalization = normalization
    }

    /// The layers Grad-CAM can explain: the network's feature maps, input side first.
    public var availableLayers: [String] { network.featureMapNames }

    /// The layers explained by default (see `defaultLayers(of:)`).
    public var defaultLayers: [String] { Self.defaultLayers(of: network) }

    /// The layers explained by default: the last convolutional stage of the backbone, i.e. the last
    /// feature map before pooling (`features.29` for VGG-16, `features.42` for VGG-16-BN,
    /// `features.norm5` for DenseNet, `features.7` for ConvNeXt, `head` for EfficientNet-Lite); for
    /// the hybrid, its backbone's (`backbone.` + the backbone's) and the U-Net stage that feeds the
    /// classifier (`unet.conv5` for the study's and the light U-Net), in that order.
    public static func defaultLayers(of network: any ImageClassifierNetwork) -> [String] {
        if let hybrid = network as? HybridNetwork {
            return defaultLayers(of: hybrid.backbone).map { "backbone." + $0 }
                + (hybrid.unet.liveStageNames.last.map { ["unet." + $0] } ?? [])
        }
        return network.featureMapNames.last.map { [$0] } ?? []
    }

    /// Checks that every one of `layers` can be explained.
    /// - Throws: `GradCAMError.noLayers` for an empty list; `.unknownLayer` naming the first unknown
    ///   one and listing the available ones.
    public func validate(layers: [String]) throws {
        guard !layers.isEmpty else { throw GradCAMError.noLayers }
        if let unknown = layers.first(where: { !availableLayers.contains($0) }) {
            throw GradCAMError.unknownLayer(unknown, available: availableLayers)
        }
    }

    /// The Grad-CAM explanation of each image (all of one size the network accepts, e.g. its run's
    /// input size) for `classIndex` (nil: each image's predicted class), with one map per layer of
    /// `layers` (nil: `defaultLayers`). Images go through in passes of `CNNInference.pixelsPerPass`
    /// pixels, one forward and one backward pass each.
    /// - Throws: `GradCAMError` for an unknown layer or a class out of range; `ImageBatchError` for
    ///   images of different sizes.
    public func explain(_ images: [RGBImage], classIndex: Int? = nil, layers: [String]? = nil) throws -> [GradCAMExplanation] {
        let layers = layers ?? defaultLayers
        try validate(layers: layers)
        let classCount = network.classCount
        if let classIndex, !(0..<classCount).contains(classIndex) {
            throw GradCAMError.classOutOfRange(classIndex, classCount: classCount)
        }
        guard let first = images.first else { return [] }
        network.eval()
        let imagesPerPass = max(1, CNNInference.pixelsPerPass / max(1, first.width * first.height))
        var explanations: [GradCAMExplanation] = []
        for start in stride(from: 0, to: images.count, by: imagesPerPass) {
            let batch = Array(images[start..<min(start + imagesPerPass, images.count)])
            explanations += try explainPass(batch, firstPosition: start, classIndex: classIndex, layers: layers)
        }
        return explanations
    }

    /// One forward and one backward pass over `images`.
    private func explainPass(_ images: [RGBImage], firstPosition: Int, classIndex: Int?,
                             layers: [String]) throws -> [GradCAMExplanation] {
        let inputs = try ImageBatchLoader.inputTensor(of: images, epoch: 0, firstPosition: firstPosition, augmentation: nil,
                                                      normalization: normalization, seed: 0) { "image \(firstPosition + $0)" }
        let (logits, maps) = try network.logits(inputs, exposing: layers)
        let probabilities = Tensor.withoutGradients { softmax(logits.detached()) }.scalars
        let predicted = logits.argmax(alongAxis: 1)
        let classes = classIndex.map { Array(repeating: $0, count: images.count) } ?? predicted
        let classCount = logits.shape[1]
        var seed = [Float](repeating: 0, count: images.count * classCount)
        for (image, target) in classes.enumerated() { seed[image * classCount + target] = 1 }
        logits.backward(seed: try Tensor(shape: logits.shape, scalars: seed))

        let (height, width) = (inputs.shape[1], inputs.shape[2])
        let layerMaps = layers.map { layer in
            Self.maps(of: maps[layer]!, layer: layer, width: width, height: height)
        }
        return images.indices.map { image in
            GradCAMExplanation(classIndex: classes[image], probability: Double(probabilities[image * classCount + classes[image]]),
                               predictedClassIndex: predicted[image], maps: layerMaps.map { $0[image] })
        }
    }

    /// Each image's map from an exposed feature map `[batch, h, w, K]` after the backward pass
    /// (a map the logits do not depend on has no gradient: its weights and map are zero).
    private static func maps(of featureMap: Tensor, layer: String, width: Int, height: Int) -> [GradCAMMap] {
        let (batch, mapHeight, mapWidth, channels) = (featureMap.shape[0], featureMap.shape[1], featureMap.shape[2],
                                                      featureMap.shape[3])
        let area = mapHeight * mapWidth
        let activations = featureMap.scalars
        let gradients = featureMap.gradient?.scalars ?? [Float](repeating: 0, count: activations.count)
        return (0..<batch).map { image in
            let base = image * area * channels
            var weights = [Float](repeating: 0, count: channels)
            for position in 0..<area {
                for channel in 0..<channels { weights[channel] += gradients[base + position * channels + channel] }
            }
            weights = weights.map { $0 / Float(area) }
            let coarse = (0..<area).map { position in
                var sum: Float = 0
                for channel in 0..<channels { sum += weights[channel] * activations[base + position * channels + channel] }
                return max(sum, 0)
            }
            return GradCAMMap(layer: layer, coarse: coarse, coarseWidth: mapWidth, coarseHeight: mapHeight,
                              channelWeights: weights, width: width, height: height)
        }
    }
}
