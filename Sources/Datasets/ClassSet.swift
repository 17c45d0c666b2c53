/// The classes of a dataset, in class-index order: the order of labels, probability vectors,
/// confusion matrices and cost matrices.
///
/// A class set is data, not code: it comes from a data folder's subfolders (sorted by name),
/// from the folder's `dataset.json` (see `DatasetDescription`, whose JSON layout is the one way a
/// class set is written and read), or from a run that recorded it.
/// Class names are compared ignoring case ("benign" is "Benign").
public struct ClassSet: Equatable, Sendable {
    /// One class.
    public struct Class: Codable, Equatable, Sendable {
        /// The name stored in runs, manifests and predictions, e.g. "Pro" or "lymphocyte".
        public var name: String
        /// The name shown in reports; `name` when the description gives none.
        public var displayName: String
        /// The subfolders of the data folder whose images belong to the class (one or more):
        /// `[name]` unless a `dataset.json` merges folders ("Malignant": Early, Pre, Pro).
        public var folders: [String]

        public init(name: String, displayName: String? = nil, folders: [String]? = nil) {
            self.name = name
            self.displayName = displayName ?? name
            self.folders = folders ?? [name]
        }

        private enum CodingKeys: String, CodingKey { case name, displayName = "display_name", folders }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try container.decode(String.self, forKey: .name),
                      displayName: try container.decodeIfPresent(String.self, forKey: .displayName),
                      folders: try container.decodeIfPresent([String].self, forKey: .folders))
        }
    }

    /// The classes in index order.
    public let classes: [Class]
    /// Whether the classes are stages in this order (maturity stages are; cell types are not):
    /// the default cost of an ordered set is the distance between stages.
    public let isOrdered: Bool
    /// The index of the positive class of a two-class set (sensitivity, specificity and the
    /// positive ROC AUC refer to it); nil means index 1, as scikit-learn's `pos_label=1`.
    public let positiveClass: Int?

    /// A class set after checking it: at least two classes, no name or folder used twice (ignoring case).
    /// - Throws: `ClassSetError` naming the fault.
    public init(classes: [Class], isOrdered: Bool = false, positiveClass: Int? = nil) throws {
        guard classes.count >= 2 else { throw ClassSetError.tooFewClasses(classes.map(\.name)) }
        for (label, values) in [("class", classes.map(\.name)), ("folder", classes.flatMap(\.folders))] {
            var seen = Set<String>()
            for value in values where !seen.insert(value.lowercased()).inserted {
                throw ClassSetError.repeated(what: label, value)
            }
        }
        if let name = classes.first(where: { $0.name.isEmpty || $0.folders.isEmpty || $0.folders.contains("") })?.name {
            throw ClassSetError.emptyName(class: name)
        }
        if let positiveClass, !classes.indices.contains(positiveClass) || classes.count != 2 {
            throw ClassSetError.positiveClassNeedsTwo(count: classes.count)
        }
        self.classes = classes
        self.isOrdered = isOrdered
        self.positiveClass = positiveClass
    }

    /// One class per folder name, in the given order (callers sort folder names first).
    public init(folderNames: [String]) throws {
        try self.init(classes: folderNames.map { Class(name: $0) })
    }

    /// The number of classes, k.
    public var count: Int { classes.count }
    /// The class names in index order.
    public var names: [String] { classes.map(\.name) }
    /// The display names in index order.
    public var displayNames: [String] { classes.map(\.displayName) }

    /// The index of the class named `name` (ignoring case), or nil.
    public func index(of name: String) -> Int? {
        let lowered = name.lowercased()
        return classes.firstIndex { $0.name.lowercased() == lowered }
    }

    /// The index of the class that owns the data subfolder `folder` (ignoring case): the class
    /// listing it among its folders, else the class of that name (a folder exported from a run
    /// is named after its class), else nil.
    public func index(ofFolder folder: String) -> Int? {
        let lowered = folder.lowercased()
        return classes.firstIndex { $0.folders.contains { $0.lowercased() == lowered } } ?? index(of: folder)
    }

    /// The classes of `self` that `other` lacks (`missing`) and those of `other` that `self`
    /// lacks (`extra`), by name, ignoring case; both empty when the sets hold the same classes.
    public func difference(to other: ClassSet) -> (missing: [String], extra: [String]) {
        (names.filter { other.index(of: $0) == nil }, other.names.filter { index(of: $0) == nil })
    }

    /// Whether `other` holds the same classes in the same order (names compared ignoring case).
    public func hasSameClasses(as other: ClassSet) -> Bool {
        count == other.count && zip(names, other.names).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    /// The four classes of the ALL dataset (Aria et al.), in maturity order: Benign, Early, Pre, Pro.
    public static let acuteLymphoblasticLeukemia = try! ClassSet(
        classes: ["Benign", "Early", "Pre", "Pro"].map { Class(name: $0) }, isOrdered: true)
}
