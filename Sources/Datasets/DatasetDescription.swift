import Foundation
import ToolkitSupport

/// What a data folder says about itself: its classes, their default misclassification costs,
/// and which images belong to one patient or slide.
///
/// Read from the folder's `dataset.json` (or a file given with `--classes`); without one, the
/// classes are the folder's subfolders sorted by name, and when those are the four ALL classes
/// the built-in ALL description applies (maturity order, the study's cost matrix). The format:
///
/// ```json
/// {
///   "name": "ALL: benign against malignant",
///   "classes": ["Benign", {"name": "Malignant", "display_name": "Malignant (B-ALL)", "folders": ["Early", "Pre", "Pro"]}],
///   "ordered": false,
///   "positive_class": "Malignant",
///   "cost": {"Benign": {"Malignant": 1}, "Malignant": {"Benign": 5}},
///   "groups": "patients.csv"
/// }
/// ```
/// `classes` lists names or objects, in index order; `cost` is rows in class order or an object of
/// rows keyed by true then predicted class (missing entries are 0); `groups` names a CSV file, beside
/// the description, of `path,group` lines (image path relative to the data folder, then a patient
/// or slide id): images of one group are never split across parts or folds.
public struct DatasetDescription: Codable, Equatable, Sendable {
    /// The file name looked for in a data folder.
    public static let fileName = "dataset.json"

    /// A human-readable name of the dataset, or nil.
    public var name: String?
    public var classes: ClassSet
    /// The dataset's default cost matrix, rows true class and columns predicted, in class order;
    /// nil when it gives none (0/1 costs, or the distance between stages for ordered classes).
    public var cost: [[Double]]?
    /// Image path (relative to the data folder) → group id, from the groups file; empty when none.
    public var groups: [String: String]
    /// The groups file named by the description (relative to it), or nil.
    var groupsFile: String? = nil

    public init(name: String? = nil, classes: ClassSet, cost: [[Double]]? = nil, groups: [String: String] = [:]) {
        self.name = name
        self.classes = classes
        self.cost = cost
        self.groups = groups
    }

    /// The built-in description of the ALL dataset: Benign, Early, Pre, Pro in maturity order and
    /// the study's cost matrix (errors between distant stages cost more).
    public static let acuteLymphoblasticLeukemia = DatasetDescription(
        name: "ALL (Aria et al.): Benign, Early, Pre, Pro", classes: .acuteLymphoblasticLeukemia,
        cost: [[0, 10, 20, 30], [10, 0, 15, 25], [20, 15, 0, 10], [30, 25, 10, 0]])

    /// The descriptions that apply to a folder without `dataset.json` when its subfolders match.
    public static let builtIn = [acuteLymphoblasticLeukemia]

    /// The description of a folder whose class subfolders are `folderNames` and that has no
    /// `dataset.json`: a built-in one when the names match it (ignoring case and order), else one
    /// class per folder, sorted by name (Unicode code points), unordered, without costs.
    public static func inferred(fromFolderNames folderNames: [String]) throws -> DatasetDescription {
        let lowered = Set(folderNames.map { $0.lowercased() })
        if let known = builtIn.first(where: { Set($0.classes.classes.flatMap(\.folders).map { $0.lowercased() }) == lowered }) {
            return known
        }
        let sorted = folderNames.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return DatasetDescription(classes: try ClassSet(folderNames: sorted))
    }

    /// Reads a description file and its groups file.
    /// - Throws: `ClassSetError.unreadableDescription` or `.invalidDescription` naming the file and the fault.
    public static func load(from url: URL) throws -> DatasetDescription {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ClassSetError.unreadableDescription(path: url.path, reason: FileReadFailure.reason(url, error))
        }
        do {
            var description = try JSONDecoder().decode(DatasetDescription.self, from: data)
            if let groupsFile = description.groupsFile {
                description.groups = try readGroups(url.deletingLastPathComponent().appendingPathComponent(groupsFile))
            }
            return description
        } catch ClassSetError.invalidDescription(path: "", let reason) {
            throw ClassSetError.invalidDescription(path: url.path, reason: reason)
        } catch let error as ClassSetError {
            if case .invalidDescription = error { throw error }
            throw ClassSetError.invalidDescription(path: url.path, reason: error.description)
        } catch {
            throw ClassSetError.invalidDescription(path: url.path, reason: decodingFailureSummary(error))
        }
    }

    /// The `path,group` lines of a groups file (a header line `path,group` is skipped).
    private static func readGroups(_ url: URL) throws -> [String: String] {
        guard let data = try? Data(contentsOf: url) else {
            throw ClassSetError.unreadableDescription(path: url.path, reason: "the groups file cannot be read")
        }
        var groups: [String: String] = [:]
        for (number, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if number == 0, fields.map({ $0.lowercased() }) == ["path", "group"] { continue }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw ClassSetError.invalidDescription(path: url.path, reason: "line \(number + 1) is not \"path,group\": \(line)")
            }
            groups[fields[0]] = fields[1]
        }
        return groups
    }

    /// A class as a bare name or as an object.
    private struct ClassEntry: Decodable {
        var value: ClassSet.Class
        init(from decoder: Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                value = ClassSet.Class(name: name)
            } else {
                value = try ClassSet.Class(from: decoder)
            }
        }
    }

    /// Costs as rows in class order or as rows keyed by class names.
    private enum CostEntry: Decodable {
        case rows([[Double]])
        case named([String: [String: Double]])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let rows = try? container.decode([[Double]].self) {
                self = .rows(rows)
            } else {
                self = .named(try container.decode([String: [String: Double]].self))
            }
        }

        func rows(classes: ClassSet, source: String) throws -> [[Double]] {
            switch self {
            case .rows(let rows):
                guard rows.count == classes.count, rows.allSatisfy({ $0.count == classes.count }) else {
                    throw ClassSetError.invalidDescription(path: source, reason: "cost has \(rows.count) rows; expected \(classes.count) rows of \(classes.count)")
                }
                return rows
            case .named(let named):
                var rows = [[Double]](repeating: [Double](repeating: 0, count: classes.count), count: classes.count)
                for (trueName, row) in named {
                    guard let i = classes.index(of: trueName) else {
                        throw ClassSetError.invalidDescription(path: source, reason: "cost names unknown class \(trueName)")
                    }
                    for (predictedName, value) in row {
                        guard let j = classes.index(of: predictedName) else {
                            throw ClassSetError.invalidDescription(path: source, reason: "cost names unknown class \(predictedName)")
                        }
                        rows[i][j] = value
                    }
                }
                return rows
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, classes, ordered, positiveClass = "positive_class", cost, groups
    }

    /// Decodes the `dataset.json` layout (see the type's documentation); `groups` is kept as a
    /// file name for `load(from:)` to read.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let entries = try container.decode([ClassEntry].self, forKey: .classes).map(\.value)
        let isOrdered = try container.decodeIfPresent(Bool.self, forKey: .ordered) ?? false
        var classes = try ClassSet(classes: entries, isOrdered: isOrdered)
        if let name = try container.decodeIfPresent(String.self, forKey: .positiveClass) {
            guard let positive = classes.index(of: name) else {
                throw ClassSetError.invalidDescription(path: "", reason: "positive_class \(name) is not one of the classes")
            }
            classes = try ClassSet(classes: entries, isOrdered: isOrdered, positiveClass: positive)
        }
        self.init(name: try container.decodeIfPresent(String.self, forKey: .name), classes: classes,
                  cost: try container.decodeIfPresent(CostEntry.self, forKey: .cost)?.rows(classes: classes, source: ""))
        groupsFile = try container.decodeIfPresent(String.self, forKey: .groups)
    }

    /// Writes the `dataset.json` layout without the groups (a run's split manifest records where
    /// every image went), so that a run's recorded description is itself a valid `dataset.json`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(classes.classes, forKey: .classes)
        try container.encode(classes.isOrdered, forKey: .ordered)
        try container.encodeIfPresent(classes.positiveClass.map { classes.names[$0] }, forKey: .positiveClass)
        try container.encodeIfPresent(cost, forKey: .cost)
    }
}
