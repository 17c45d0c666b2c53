import NeuralNetworks
import Randomness
import Tensors
import WeightFiles

/// Sees (and may replace) a named intermediate feature map during a forward pass: called with the
/// stage's name (its PyTorch module path, such as `features.denseblock4`) and its NHWC output; what
/// it returns continues through the network.
public typealias FeatureMapTap = (_ name: String, _ featureMap: Tensor) -> Tensor

/// A classification network split into a body, which turns NHWC images `[batch, height, width, 3]`
/// into a feature vector, and a linear head, which turns that vector into class scores.
///
/// Parameter keys equal those of the reference PyTorch model, so its checkpoints load unchanged
/// (`loadStateDict`). To fine-tune on `k` classes, either build the network with `k` classes and
/// `loadBackbone(_:)` the pretrained state dict, or load everything and `replaceHead(classCount:seed:)`:
///
/// ```swift
/// let network = try NetworkDescription(.densenet121, classCount: 4).makeNetwork(seed: 7)
/// try network.loadPretrained(from: URL(fileURLWithPath: "densenet121-a639ec97.pth"), includingHead: false)
/// network.freezeBackbone()                       // optional: train the new head only
/// let (logits, map) = try network.logits(images, exposing: "features.norm5")  // for Grad-CAM
/// ```
public protocol ImageClassifierNetwork: Layer {
    /// The final linear layer, `[batch, featureCount]` -> `[batch, classCount]`.
    var head: Linear { get set }
    /// The state-dict key of the head, e.g. `classifier.6` (so its keys are `classifier.6.weight`, ...).
    var headKey: String { get }
    /// The names of the feature maps the body exposes to a `FeatureMapTap`, input side first; the
    /// last one is the usual Grad-CAM target.
    var featureMapNames: [String] { get }
    /// The vector the head consumes, `[batch, featureCount]`, for `x [batch, height, width, 3]`;
    /// `tap` sees each feature map of `featureMapNames` in order.
    func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor

    // What a network says about itself to a trainer, so that no code outside the zoo asks which
    // network it is. Each has a default for a plain body-plus-head network.

    /// The key prefix of the first parameter that the top-blocks transfer policy trains: it and
    /// every parameter registered after it are trained, the ones before stay frozen (see each
    /// network's implementation for the study's equivalent).
    var topBlocksStart: String { get }
    /// The key prefixes of the parameters that train when the pretrained body is frozen (default:
    /// the head). When that is the head alone, a trainer may compute the body's features once and
    /// train the head on cached features.
    var trainedWhenBodyIsFrozen: [String] { get }
    /// The key prefixes of parameters that are never used by the forward pass and stay frozen
    /// whatever the policy (default: none; the hybrid's backbone head).
    var unusedParameterPrefixes: [String] { get }
    /// The network that pretrained (ImageNet) weights load into: itself by default, the backbone
    /// for a network built around one.
    var pretrainedBody: any ImageClassifierNetwork { get }
    /// A regularization term to add to the training loss (a scalar), or nil (the default).
    func regularizationPenalty() -> Tensor?
    /// Whether the forward pass in training mode draws random numbers from a generator a trainer
    /// cannot reseed per epoch (DenseNet's dropout), so that a resumed training may differ from an
    /// uninterrupted one. Default: false.
    var hasUnreseedableRandomness: Bool { get }
}

extension ImageClassifierNetwork {
    public var trainedWhenBodyIsFrozen: [String] { [headKey] }
    public var unusedParameterPrefixes: [String] { [] }
    public var pretrainedBody: any ImageClassifierNetwork { self }
    public func regularizationPenalty() -> Tensor? { nil }
    public var hasUnreseedableRandomness: Bool { false }

    /// Whether the frozen-body policy trains the head alone, so that the body's features can be
    /// computed once and cached.
    public var trainsHeadAloneWhenBodyIsFrozen: Bool { trainedWhenBodyIsFrozen == [headKey] }
}

extension ImageClassifierNetwork {
    /// The class scores (logits) `[batch, classCount]` of `x [batch, height, width, 3]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        head(features(x) { $1 })
    }

    /// The vector the head consumes, `[batch, featureCount]` (globally pooled for DenseNet, ConvNeXt
    /// and EfficientNet-Lite; VGG's is the output of its second hidden layer).
    public func features(_ x: Tensor) -> Tensor {
        features(x) { $1 }
    }

    /// The number of classes the head scores.
    public var classCount: Int { head.weight.value.shape[0] }

    /// The length of the feature vector.
    public var featureCount: Int { head.weight.value.shape[1] }

    /// Every exposed feature map of `x`, NHWC, by name (see `featureMapNames`).
    public func featureMaps(_ x: Tensor) -> [String: Tensor] {
        var maps: [String: Tensor] = [:]
        _ = features(x) { name, map in
            maps[name] = map
            return map
        }
        return maps
    }

    /// Whether `key` belongs to the head.
    public func isHeadKey(_ key: String) -> Bool {
        key.hasPrefix(headKey + ".")
    }

    /// Puts a new head for `classCount` classes on the body, with PyTorch's default `nn.Linear`
    /// initialization drawn from `seed`; the body keeps its weights. Build optimizers afterwards:
    /// the new head has new parameters.
    /// - Throws: `LayerError.invalidConfiguration` for a non-positive class count.
    public func replaceHead(classCount: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        head = try Linear(inFeatures: featureCount, outFeatures: classCount, generator: &generator)
    }

    /// Freezes every parameter except the head's, for training only a new head on a pretrained body
    /// (`unfreeze()` undoes it).
    public func freezeBackbone() {
        for (name, parameter) in namedParameters() { parameter.isFrozen = !isHeadKey(name) }
    }

    /// Loads every key of `stateDict` except the head's (which may be absent or of another class
    /// count) and keeps the current head: a pretrained body under a new head.
    /// - Throws: `StateDictMismatch` when a body key is missing, unexpected or mis-shaped; nothing
    ///   changes then.
    public func loadBackbone(_ stateDict: StateDict) throws {
        var merged = stateDict.filter { !isHeadKey($0.key) }
        for (key, value) in head.stateDict() {
            merged[headKey + "." + key] = value
        }
        try loadStateDict(merged)
    }
}

extension Sequential {
    /// The layers applied in order (convolutions and their ReLUs fused, as `callAsFunction(_:)` runs
    /// them); the output of each child whose key (`keyPrefix + name`, e.g. `features.3`) is in `names`
    /// goes through `tap`.
    func callAsFunction(_ x: Tensor, keyPrefix: String, tapping names: [String], with tap: FeatureMapTap) -> Tensor {
        let tapped = Set(names.filter { $0.hasPrefix(keyPrefix) }.map { String($0.dropFirst(keyPrefix.count)) })
        return callAsFunction(x, observing: tapped) { name, output in tap(keyPrefix + name, output) }
    }
}
