import Foundation
import ToolkitSupport

/// The files of a run directory, and the checks made when one is opened.
///
/// A run directory holds everything needed to reproduce, evaluate and serve a model:
/// `config.json`, `split.json`, `normalization.json`, the model file, `metrics.json`, `report.md`.
public struct RunDirectory: Sendable {
    public let url: URL
    /// Entries of the folder that belong to it without being part of this run: a refit's
    /// `selection` run. A new run may start beside them, and a failed one leaves them alone.
    public let kept: Set<String>

    public init(_ url: URL, keeping kept: Set<String> = []) {
        self.url = url
        self.kept = kept
    }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var splitManifest: URL { url.appendingPathComponent("split.json") }
    public var normalization: URL { url.appendingPathComponent("normalization.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.json") }
    public var report: URL { url.appendingPathComponent("report.md") }
    public var modelSelection: URL { url.appendingPathComponent("model-selection.json") }
    public func model(kind: ClassicalModelKind) -> URL { url.appendingPathComponent(kind.modelFileName) }

    /// What a cross-validation folder records (`train --folds K`); its runs are `fold-1` ... `fold-K`.
    var crossValidationRecord: URL { url.appendingPathComponent("cross-validation.json") }

    /// The hidden file by which a training claims its run directory (created exclusively).
    var claimMarker: URL { url.appendingPathComponent(".leukemia-run") }

    /// Refuses a path that is not a new or empty folder, so that no run is mixed into another and
    /// nothing a user keeps there is touched: a finished run, an interrupted training (which
    /// `--resume` continues), the data folder, or any folder that holds something.
    /// - Throws: `RunDirectoryError.alreadyHoldsRun` or `.notEmpty` naming the path and what is there.
    public func checkFreeForNewRun() throws {
        guard let holding = FolderOccupancy.describe(url, ignoring: kept) else { return }
        let manager = FileManager.default
        if manager.fileExists(atPath: configuration.path) { throw RunDirectoryError.alreadyHoldsRun(url.path) }
        if manager.fileExists(atPath: trainingSession.path) {
            throw RunDirectoryError.notEmpty(url.path, holding: "an interrupted training; continue it with --resume")
        }
        if manager.fileExists(atPath: claimMarker.path) {
            throw RunDirectoryError.notEmpty(url.path, holding: "a run that another training is writing or left unfinished")
        }
        throw RunDirectoryError.notEmpty(url.path, holding: holding)
    }

    /// Claims the directory for a new run: creates it (or takes an empty one) and creates the
    /// claim marker exclusively, so that two trainings never write into one folder. Returns
    /// whether the folder was created here (for `releaseClaim`).
    /// - Throws: see `checkFreeForNewRun`; `RunDirectoryError.cannotCreate` naming the path.
    @discardableResult
    public func claimForNewRun() throws -> Bool {
        try checkFreeForNewRun()
        let manager = FileManager.default
        let created = !manager.fileExists(atPath: url.path)
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.cannotCreate(url.path, reason: error.localizedDescription)
        }
        let descriptor = open(claimMarker.path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw RunDirectoryError.notEmpty(url.path, holding: "a run that another training is writing")
            }
            throw RunDirectoryError.cannotCreate(claimMarker.path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        return created
    }

    /// Undoes a claim after a training failed before leaving anything worth keeping: removes what
    /// it wrote, and the folder itself when `claimForNewRun` created it, so that a corrected
    /// command can use the same folder.
    public func releaseClaim(createdFolder: Bool) {
        let manager = FileManager.default
        if createdFolder {
            try? manager.removeItem(at: url)
        } else {
            for entry in (try? manager.contentsOfDirectory(atPath: url.path)) ?? [] where !kept.contains(entry) {
                try? manager.removeItem(at: url.appendingPathComponent(entry))
            }
        }
    }

    /// Reads and checks `config.json`: present, decodable, and of this toolkit's format version.
    public func loadConfiguration() throws -> RunConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunDirectoryError.missing(url.path)
        }
        if !FileManager.default.fileExists(atPath: configuration.path),
           FileManager.default.fileExists(atPath: crossValidationRecord.path) {
            throw RunDirectoryError.crossValidation(url.path)
        }
        let data = try readRequired(configuration)
        struct VersionProbe: Decodable {
            var formatVersion: Int?
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
        }
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: data) else {
            throw RunDirectoryError.corrupt(configuration.path, reason: "not a JSON object")
        }
        guard let version = probe.formatVersion else {
            throw RunDirectoryError.corrupt(configuration.path, reason: "no format_version")
        }
        guard version == RunConfiguration.currentFormatVersion else {
            throw RunDirectoryError.incompatibleVersion(configuration.path, found: version,
                                                        expected: RunConfiguration.currentFormatVersion)
        }
        do {
            return try JSONDecoder().decode(RunConfiguration.self, from: data)
        } catch {
            throw RunDirectoryError.corrupt(configuration.path, reason: "\(error)")
        }
    }

    /// The contents of a file the run cannot do without, or an error naming it.
    public func readRequired(_ file: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw RunDirectoryError.incomplete(url.path, missingFile: file.lastPathComponent)
        }
        do {
            return try Data(contentsOf: file)
        } catch {
            throw RunDirectoryError.corrupt(file.path, reason: FileReadFailure.reason(file, error))
        }
    }

    /// The SHA-256 (hex) of each of `files`, by file name, for `RunConfiguration.fileHashes`.
    /// - Throws: `RunDirectoryError.corrupt` naming an unreadable file.
    public func hashes(of files: [URL]) throws -> [String: String] {
        var hashes: [String: String] = [:]
        for file in files {
            do {
                hashes[file.lastPathComponent] = try SHA256.hash(fileAt: file).hexString
            } catch {
                throw RunDirectoryError.corrupt(file.path, reason: "\(error)")
            }
        }
        return hashes
    }

    /// Checks `file` against the hash `configuration` recorded for it (nothing to check in a run
    /// that recorded none).
    /// - Throws: `RunDirectoryError.changedSinceTraining` naming the file and both hashes.
    public func verify(_ file: URL, against configuration: RunConfiguration) throws {
        guard let expected = configuration.fileHashes?[file.lastPathComponent] else { return }
        try check(file, hash: hashes(of: [file])[file.lastPathComponent] ?? "", against: expected)
    }

    /// Checks `contents`, already read from `file`, against the hash `configuration` recorded for
    /// the file, so that a file the run loads anyway is read once.
    /// - Throws: `RunDirectoryError.changedSinceTraining` naming the file and both hashes.
    public func verify(_ contents: Data, of file: URL, against configuration: RunConfiguration) throws {
        guard let expected = configuration.fileHashes?[file.lastPathComponent] else { return }
        try check(file, hash: SHA256.hash(contents).hexString, against: expected)
    }

    private func check(_ file: URL, hash actual: String, against expected: String) throws {
        guard actual == expected else {
            throw RunDirectoryError.changedSinceTraining(file.path, recorded: expected, found: actual)
        }
    }

    /// Reads a JSON file the run cannot do without.
    /// - Throws: `RunDirectoryError.incomplete` when it is missing, `.corrupt` when it does not decode.
    public func readJSON<Value: Decodable>(_ file: URL, as type: Value.Type = Value.self) throws -> Value {
        let data = try readRequired(file)
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch {
            throw RunDirectoryError.corrupt(file.path, reason: "\(error)")
        }
    }

    /// Writes a value as pretty, key-sorted JSON, atomically.
    public func writeJSON<Value: Encodable>(_ value: Value, to file: URL) throws {
        try AtomicFile.write(JSONFormatting.encode(value), to: file)
    }
}

/// Why a run directory cannot be created or used.
public enum RunDirectoryError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case missing(String)
    case alreadyHoldsRun(String)
    /// A new run's directory that holds something already (what, in words).
    case notEmpty(String, holding: String)
    case cannotCreate(String, reason: String)
    case incomplete(String, missingFile: String)
    case incompatibleVersion(String, found: Int, expected: Int)
    case corrupt(String, reason: String)
    /// A file the model is loaded from is not the one training wrote (its SHA-256 differs).
    case changedSinceTraining(String, recorded: String, found: String)
    /// A cross-validation folder given where one run is expected.
    case crossValidation(String)

    public var description: String {
        switch self {
        case .missing(let path): return "run directory \(path) does not exist"
        case .alreadyHoldsRun(let path):
            return "\(path) already holds a run (config.json); choose another --out directory"
        case .notEmpty(let path, let holding):
            return "\(path) is not a new or empty folder (\(holding)); choose another --out directory"
        case .cannotCreate(let path, let reason): return "cannot create run directory \(path): \(reason)"
        case .incomplete(let path, let file): return "run directory \(path) is incomplete: \(file) is missing"
        case .incompatibleVersion(let path, let found, let expected):
            return "\(path) has run format version \(found); this toolkit (\(ToolkitVersion.current)) reads version \(expected)"
        case .corrupt(let path, let reason): return "\(path) is unreadable: \(reason)"
        case .changedSinceTraining(let path, let recorded, let found):
            return "\(path) is not the file its training wrote: SHA-256 \(found.prefix(16))…, config.json records "
                + "\(recorded.prefix(16))…; restore it or train again"
        case .crossValidation(let path):
            return "\(path) is a cross-validation (metrics.json and report.md summarize it); its runs are \(path)/fold-1, fold-2, ..."
        }
    }

    public var errorDescription: String? { description }
}
