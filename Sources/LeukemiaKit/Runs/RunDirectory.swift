import Foundation
import ToolkitSupport

/// The files of a run directory, and the checks made when one is opened.
///
/// A run directory holds everything needed to reproduce, evaluate and serve a model:
/// `config.json`, `split.json`, `normalization.json`, the model file, `metrics.json`, `report.md`.
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var splitManifest: URL { url.appendingPathComponent("split.json") }
    public var normalization: URL { url.appendingPathComponent("normalization.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.json") }
    public var report: URL { url.appendingPathComponent("report.md") }
    public var modelSelection: URL { url.appendingPathComponent("model-selection.json") }
    public func model(kind: ClassicalModelKind) -> URL { url.appendingPathComponent(kind.modelFileName) }

    /// Refuses a directory that already holds a run, so that no run is mixed into another.
    public func checkFreeForNewRun() throws {
        if FileManager.default.fileExists(atPath: configuration.path) {
            throw RunDirectoryError.alreadyHoldsRun(url.path)
        }
    }

    /// Creates the directory for a new run (after `checkFreeForNewRun`).
    public func prepareForNewRun() throws {
        try checkFreeForNewRun()
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.cannotCreate(url.path, reason: error.localizedDescription)
        }
    }

    /// Reads and checks `config.json`: present, decodable, and of this toolkit's format version.
    public func loadConfiguration() throws -> RunConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunDirectoryError.missing(url.path)
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
            throw RunDirectoryError.corrupt(file.path, reason: error.localizedDescription)
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
    case cannotCreate(String, reason: String)
    case incomplete(String, missingFile: String)
    case incompatibleVersion(String, found: Int, expected: Int)
    case corrupt(String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): return "run directory \(path) does not exist"
        case .alreadyHoldsRun(let path):
            return "\(path) already holds a run (config.json); choose another --out directory"
        case .cannotCreate(let path, let reason): return "cannot create run directory \(path): \(reason)"
        case .incomplete(let path, let file): return "run directory \(path) is incomplete: \(file) is missing"
        case .incompatibleVersion(let path, let found, let expected):
            return "\(path) has run format version \(found); this toolkit (\(ToolkitVersion.current)) reads version \(expected)"
        case .corrupt(let path, let reason): return "\(path) is unreadable: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
