import Foundation
import ToolkitSupport

/// A saved split: which file (by path and content hash) went to which part, and how it was made.
/// Reusing it on a folder (`resolve(against:)`) reproduces the split exactly or fails loudly.
public struct SplitManifest: Codable, Equatable, Sendable {
    /// The format this code writes and reads.
    public static let currentFormatVersion = 1

    /// One file of the split.
    public struct Entry: Codable, Equatable, Sendable {
        public let path: String
        /// The class name (as in the run's class set), e.g. "Pro".
        public let label: String
        public let contentHash: String
        public let part: DatasetPart

        public init(path: String, label: String, contentHash: String, part: DatasetPart) {
            self.path = path
            self.label = label
            self.contentHash = contentHash
            self.part = part
        }

        private enum CodingKeys: String, CodingKey {
            case path, label, contentHash = "content_hash", part
        }
    }

    public let formatVersion: Int
    public let configuration: SplitConfiguration
    public let entries: [Entry]
    /// Image counts per part and class: `counts["test"]?["Pro"]`. Checked against `entries` on load.
    public let counts: [String: [String: Int]]

    /// The manifest of `split`, whose images are labelled in `classes`.
    public init(split: DatasetSplit, classes: ClassSet) {
        self.init(configuration: split.configuration, entries: split.assignments.map { image, part in
            Entry(path: image.relativePath, label: classes.names[image.label], contentHash: image.contentHash, part: part)
        })
    }

    /// A manifest of the current format listing `entries`; `counts` is derived from them.
    public init(configuration: SplitConfiguration, entries: [Entry]) {
        formatVersion = Self.currentFormatVersion
        self.configuration = configuration
        self.entries = entries
        counts = Self.counts(of: entries)
    }

    /// Counts per part and class name, with a 0 for every class of the entries missing from a part.
    private static func counts(of entries: [Entry]) -> [String: [String: Int]] {
        let names = Set(entries.map(\.label))
        var counts: [String: [String: Int]] = [:]
        for part in DatasetPart.allCases {
            var row = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
            for entry in entries where entry.part == part { row[entry.label, default: 0] += 1 }
            counts[part.rawValue] = row
        }
        return counts
    }

    /// `counts` without the zeros (manifests written before class sets listed every ALL class).
    private static func nonZero(_ counts: [String: [String: Int]]) -> [String: [String: Int]] {
        counts.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }

    /// Writes the manifest as pretty-printed JSON with sorted keys, atomically.
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    /// Reads a manifest written by `save(to:)`.
    /// - Throws: `SplitManifestError` when the file is unreadable, not a manifest, of another
    ///   format version, has an invalid configuration, repeats a path, or has wrong counts.
    public static func load(from url: URL) throws -> SplitManifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SplitManifestError.unreadable(path: url.path, reason: FileReadFailure.reason(url, error))
        }
        struct VersionProbe: Decodable {
            let formatVersion: Int
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
        }
        let decoder = JSONDecoder()
        let manifest: SplitManifest
        do {
            let version = try decoder.decode(VersionProbe.self, from: data).formatVersion
            guard version == currentFormatVersion else {
                throw SplitManifestError.unsupportedVersion(path: url.path, found: version, supported: currentFormatVersion)
            }
            manifest = try decoder.decode(SplitManifest.self, from: data)
        } catch let error as SplitManifestError {
            throw error
        } catch {
            throw SplitManifestError.invalid(path: url.path, reason: decodingFailureSummary(error))
        }
        do {
            try manifest.configuration.validate()
        } catch {
            throw SplitManifestError.invalid(path: url.path, reason: "\(error)")
        }
        var seen = Set<String>()
        for entry in manifest.entries where !seen.insert(entry.path).inserted {
            throw SplitManifestError.invalid(path: url.path, reason: "path \(entry.path) is listed twice")
        }
        guard nonZero(manifest.counts) == nonZero(counts(of: manifest.entries)) else {
            throw SplitManifestError.invalid(path: url.path, reason: "counts disagree with the entries")
        }
        return manifest
    }

    /// Matches the manifest's entries with the images of `folder`.
    ///
    /// - Returns: every listed image with its recorded part, and the folder's images the manifest
    ///   does not list (`unassigned`) so the caller can report them rather than use them silently.
    /// - Throws: `ClassSetError.classMismatch` when the folder's classes are not the manifest's;
    ///   `SplitManifestError` when a listed file is missing from the folder, or present with
    ///   another content hash or label.
    public func resolve(against folder: ImageFolder) throws -> ManifestResolution {
        let listed = Set(entries.map { $0.label.lowercased() })
        let missing = Set(entries.map(\.label)).filter { folder.classes.index(of: $0) == nil }.sorted()
        let extra = folder.classes.names.filter { !listed.contains($0.lowercased()) }
        if !missing.isEmpty || !extra.isEmpty {
            throw ClassSetError.classMismatch(path: folder.root.path, missing: missing, extra: extra)
        }
        var imagesByPath: [String: DatasetImage] = [:]
        for image in folder.images { imagesByPath[image.relativePath] = image }
        var assigned: [(image: DatasetImage, part: DatasetPart)] = []
        for entry in entries {
            guard let image = imagesByPath.removeValue(forKey: entry.path) else {
                throw SplitManifestError.missingFile(path: entry.path, folder: folder.root.path)
            }
            guard image.contentHash == entry.contentHash else {
                throw SplitManifestError.hashMismatch(path: entry.path, expected: entry.contentHash, found: image.contentHash)
            }
            let found = folder.classes.names[image.label]
            guard found.lowercased() == entry.label.lowercased() else {
                throw SplitManifestError.labelMismatch(path: entry.path, expected: entry.label, found: found)
            }
            assigned.append((image, entry.part))
        }
        let unassigned = folder.images.filter { imagesByPath[$0.relativePath] != nil }
        return ManifestResolution(assigned: assigned, unassigned: unassigned)
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", configuration, entries, counts
    }
}

/// The outcome of matching a manifest with a folder.
public struct ManifestResolution: Sendable {
    /// The manifest's files found in the folder with their parts, in manifest order.
    public let assigned: [(image: DatasetImage, part: DatasetPart)]
    /// Images of the folder the manifest does not list, in folder order.
    public let unassigned: [DatasetImage]

    /// Throws unless every part holds at least one image: a training needs all three.
    /// - Throws: `SplitError.emptyPart` naming the first empty part, with the counts of all three.
    /// With `validation` false, the validation part may be empty (a refit's split).
    public func requireEveryPart(validation: Bool = true) throws {
        let counts = Dictionary(grouping: assigned, by: \.part).mapValues(\.count)
        let required = DatasetPart.allCases.filter { validation || $0 != .validation }
        if let empty = required.first(where: { (counts[$0] ?? 0) == 0 }) {
            throw SplitError.emptyPart(empty, counts: counts)
        }
    }
}

extension SplitManifest {
    /// The manifest at `reused` when given, else a new split of `folder` with `configuration`.
    public static func makeOrReuse(folder: ImageFolder, configuration: SplitConfiguration, reused: URL?) throws -> SplitManifest {
        if let reused { return try SplitManifest.load(from: reused) }
        return SplitManifest(split: try DatasetSplit.make(folder, configuration: configuration), classes: folder.classes)
    }
}
