import Foundation
import ModelZoo
import WeightFiles

/// Where a network's starting weights come from (`--weights imagenet|none|FILE`).
public enum WeightsSource: Equatable, Sendable, Codable, CustomStringConvertible {
    /// The architecture's ImageNet weights from the weights cache.
    case imagenet
    /// Random initialization (training from scratch).
    case none
    /// A safetensors state dict of the same architecture (its head may differ).
    case file(String)

    /// Parses `imagenet`, `none`, or anything else as a file path.
    public init(argument: String) {
        switch argument {
        case "imagenet": self = .imagenet
        case "none": self = .none
        default: self = .file(argument)
        }
    }

    public var description: String {
        switch self {
        case .imagenet: return "imagenet"
        case .none: return "none"
        case .file(let path): return path
        }
    }

    public init(from decoder: Decoder) throws {
        self.init(argument: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The file to load for `architecture`, or nil for random initialization.
    /// - Throws: `WeightStoreError.notImported` naming the expected file and the command that
    ///   imports it, or `CNNTrainingError.weightsFileMissing` for a missing FILE.
    public func file(for architecture: Architecture, cache: URL) throws -> URL? {
        switch self {
        case .none:
            return nil
        case .imagenet:
            let url = WeightStore(folder: cache).file(for: architecture.rawValue)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw WeightStoreError.notImported(architecture: architecture.rawValue, expectedFile: url.path)
            }
            return url
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else { throw CNNTrainingError.weightsFileMissing(path) }
            return URL(fileURLWithPath: path)
        }
    }

    /// Loads the body of `network` from this source (the head keeps its fresh initialization):
    /// the weight store's checked file for `imagenet`, or a safetensors or PyTorch FILE.
    /// Returns the file used, or nil for random initialization.
    /// - Throws: see `file(for:cache:)`; `WeightStoreError.wrongArchitecture` for a stored file of
    ///   another architecture; `CNNTrainingError.incompatibleWeights` naming the file when its
    ///   keys or shapes do not fit the network.
    @discardableResult
    public func load(into network: any ImageClassifierNetwork, architecture: Architecture, cache: URL) throws -> URL? {
        guard let url = try file(for: architecture, cache: cache) else { return nil }
        do {
            if self == .imagenet {
                try network.loadBackbone(WeightStore(folder: cache).load(architecture: architecture.rawValue).stateDict)
            } else {
                try network.loadPretrained(from: url, includingHead: false)
            }
        } catch let error as WeightStoreError {
            throw error
        } catch let error as WeightFileError {
            throw error   // it names the file already
        } catch {
            throw CNNTrainingError.incompatibleWeights(url.path, reason: "\(error)")
        }
        return url
    }
}
