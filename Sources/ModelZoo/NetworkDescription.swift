import Foundation

/// One network as a user names it: the architecture (the registry's name), the hybrid's backbone
/// and U-Net variant, the input size, the class count and the input normalization. It is what a
/// run records, what `leukemia train --model` and the benchmarks build, and everything else about
/// a network derives from it: the exact sizes (`blueprint()`), the network (`makeNetwork(seed:)`),
/// the pretrained weights to start from (`pretrainedArchitecture`) and its name (`name`).
///
/// ```swift
/// let description = NetworkDescription(.efficientnetLite0, classCount: 4)
/// let network = try description.makeNetwork(seed: 42)
/// let hybrid = NetworkDescription(.hybrid, backbone: .efficientnetLite0, hybridVariant: .light, classCount: 4)
/// hybrid.name   // "hybrid-light/efficientnet-lite0"
/// ```
public struct NetworkDescription: Codable, Hashable, Sendable {
    public var architecture: Architecture
    /// The hybrid's backbone (any architecture but the hybrid); nil for the others.
    public var backbone: Architecture?
    /// The hybrid's U-Net; nil for the others.
    public var hybridVariant: HybridNetwork.Variant?
    public var classCount: Int
    /// Images are resized to `inputSize` x `inputSize` pixels.
    public var inputSize: Int
    /// How 0...255 pixels become inputs (by default what the pretrained weights expect).
    public var normalization: InputNormalization

    private enum CodingKeys: String, CodingKey {
        case architecture, backbone, hybridVariant = "hybrid_variant", classCount = "class_count", inputSize = "input_size"
        case normalization
    }

    /// The study's input size: 224 x 224 pixels.
    public static let standardInputSize = 224

    /// `architecture` (on `backbone`, with `hybridVariant`, for the hybrid) for `classCount`
    /// classes at `inputSize` pixels; `normalization` defaults to what the pretrained weights
    /// expect (the backbone's for the hybrid). A hybrid without a backbone gets EfficientNet-Lite0.
    public init(_ architecture: Architecture, backbone: Architecture? = nil, hybridVariant: HybridNetwork.Variant? = nil,
                classCount: Int, inputSize: Int = NetworkDescription.standardInputSize,
                normalization: InputNormalization? = nil) {
        self.architecture = architecture
        self.backbone = architecture == .hybrid ? backbone ?? .efficientnetLite0 : nil
        self.hybridVariant = architecture == .hybrid ? hybridVariant ?? .study : nil
        self.classCount = classCount
        self.inputSize = inputSize
        self.normalization = normalization ?? (self.backbone ?? architecture).inputNormalization
    }

    /// The architecture whose pretrained weights the network starts from: the backbone for the
    /// hybrid (they load into `ImageClassifierNetwork.pretrainedBody`), else the architecture.
    public var pretrainedArchitecture: Architecture { backbone ?? architecture }

    /// The one spelling of this network on command lines and in tables: the architecture's name,
    /// or `hybrid-VARIANT/BACKBONE` (`hybrid-light/efficientnet-lite0`). `init(name:...)` reads it.
    public var name: String {
        guard architecture == .hybrid, let backbone, let hybridVariant else { return architecture.rawValue }
        return "hybrid-\(hybridVariant.rawValue)/\(backbone.rawValue)"
    }

    /// Reads `name` as `name` writes it; `hybrid` alone is the study's variant, and a hybrid name
    /// without `/BACKBONE` takes EfficientNet-Lite0.
    /// - Throws: `ModelZooError.unknownArchitecture` naming what is not understood.
    public init(name: String, classCount: Int, inputSize: Int = NetworkDescription.standardInputSize) throws {
        let parts = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let head = parts[0], backboneName = parts.count == 2 ? parts[1] : nil
        let known = Architecture.backbones.map(\.rawValue) + HybridNetwork.Variant.allCases.map { "hybrid-\($0.rawValue)" }
        guard head == "hybrid" || head.hasPrefix("hybrid-") else {
            guard backboneName == nil, let architecture = Architecture(rawValue: head) else {
                throw ModelZooError.unknownArchitecture(name, known: known)
            }
            self.init(architecture, classCount: classCount, inputSize: inputSize)
            return
        }
        guard let variant = head == "hybrid" ? .study : HybridNetwork.Variant(rawValue: String(head.dropFirst("hybrid-".count))) else {
            throw ModelZooError.unknownArchitecture(name, known: known)
        }
        var backbone = Architecture.efficientnetLite0
        if let backboneName {
            guard let named = Architecture(rawValue: backboneName), named != .hybrid else {
                throw ModelZooError.unknownArchitecture(backboneName, known: Architecture.backbones.map(\.rawValue))
            }
            backbone = named
        }
        self.init(.hybrid, backbone: backbone, hybridVariant: variant, classCount: classCount, inputSize: inputSize)
    }

    /// The network's exact sizes: the architecture's standard configuration for this class count
    /// and input size (the hybrid's purple mask undoes `normalization`).
    /// - Throws: `ModelZooError.invalidConfiguration` for a class count under 1, an input size
    ///   under 16, or a hybrid on a hybrid.
    public func blueprint() throws -> NetworkBlueprint {
        try ModelZooError.check(classCount >= 1, name, "class count \(classCount); expected at least 1")
        try ModelZooError.check(inputSize >= 16, name, "input size \(inputSize); expected at least 16")
        if let blueprint = architecture.standardBlueprint(classCount: classCount, inputSize: inputSize) { return blueprint }
        guard let backbone, let backboneBlueprint = backbone.standardBlueprint(classCount: classCount, inputSize: inputSize) else {
            throw ModelZooError.invalidConfiguration(
                architecture: name, message: "the hybrid needs a backbone, one of "
                    + Architecture.backbones.map(\.rawValue).joined(separator: ", "))
        }
        var configuration = (hybridVariant ?? .study).configuration(normalization: normalization.purpleMaskAffine)
        configuration.imageSize = inputSize
        configuration.denseHead.classCount = classCount
        return .hybrid(configuration, backbone: backboneBlueprint)
    }

    /// A freshly initialized network of `blueprint()`, its initialization drawn from `seed`.
    public func makeNetwork(seed: UInt64) throws -> any ImageClassifierNetwork {
        try blueprint().makeNetwork(seed: seed)
    }

    /// Whether `blueprint` (the standard one or a reduced one written by hand) can stand for this
    /// network: the same class count, an input size it accepts, and the purple mask undoing this
    /// normalization. Returns the first mismatch in words, or nil.
    public func mismatch(with blueprint: NetworkBlueprint) -> String? {
        if blueprint.classCount != classCount {
            return "the network scores \(blueprint.classCount) classes, the description \(classCount)"
        }
        if let size = blueprint.requiredInputSize, size != inputSize {
            return "the network takes \(size)x\(size) images, the description \(inputSize)x\(inputSize)"
        }
        if let affine = blueprint.purpleMaskNormalization, affine != normalization.purpleMaskAffine {
            return "the hybrid's purple mask does not undo the '\(normalization.rawValue)' normalization"
        }
        return nil
    }
}

extension InputNormalization {
    /// The per-channel affine maps in the form the hybrid's purple mask inverts.
    public var purpleMaskAffine: [PurpleMask.ChannelAffine] {
        channelAffine.map { PurpleMask.ChannelAffine(scale: $0.scale, offset: $0.offset) }
    }
}
