import Foundation
import ToolkitSupport

/// One epoch's metrics, one line of `epochs.jsonl`. Only quantities that an identical
/// computation reproduces exactly are kept (no timings), so a resumed run writes the same lines.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    /// The class-weighted training loss, averaged over the epoch's images (training mode).
    public var trainLoss: Double
    public var trainAccuracy: Double
    /// The unweighted validation loss (evaluation mode); nil in a refit, which has no validation part.
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// The rate used during the epoch.
    public var learningRate: Double
    /// Whether this epoch is the best so far by the run's `ModelSelection` (its weights are kept);
    /// in a refit, every epoch (the last one's weights are the result).
    public var isBest: Bool
    /// The network's regularization term included in `validationLoss` (the hybrid's L2); nil (and
    /// not written) for networks without one.
    public var validationRegularization: Double?

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?,
                validationAccuracy: Double?, learningRate: Double, isBest: Bool, validationRegularization: Double? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.isBest = isBest
        self.validationRegularization = validationRegularization
    }

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", trainAccuracy = "train_accuracy", validationLoss = "validation_loss"
        case validationAccuracy = "validation_accuracy", learningRate = "learning_rate", isBest = "is_best"
        case validationRegularization = "validation_regularization"
    }
}

/// `epochs.jsonl`: one JSON object per epoch, appended as training goes.
public struct EpochLog: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// The records in the file (none when it does not exist).
    /// - Throws: `CNNTrainingError.corruptCheckpoint` naming the file and line of an unreadable line.
    public func read() throws -> [EpochRecord] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { number, line in
            do {
                return try JSONDecoder().decode(EpochRecord.self, from: Data(line.utf8))
            } catch {
                throw CNNTrainingError.corruptCheckpoint(url.path, reason: "line \(number + 1) is not an epoch record")
            }
        }
    }

    /// Replaces the file by `records`, atomically.
    public func write(_ records: [EpochRecord]) throws {
        var data = Data()
        for record in records {
            data.append(try Self.encoder.encode(record))
            data.append(0x0A)
        }
        try AtomicFile.write(data, to: url)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
