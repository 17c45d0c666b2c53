/// The four classes of the ALL dataset, by maturity.
///
/// This is the only place that knows the classes. The order of the cases is the class index
/// used by labels, probability vectors, confusion matrices and cost matrices.
public enum LeukemiaClass: Int, CaseIterable, Codable, Sendable, Comparable {
    case benign, early, pre, pro

    /// The display name, also the dataset's folder name: "Benign", "Early", "Pre", "Pro".
    public var name: String {
        switch self {
        case .benign: return "Benign"
        case .early: return "Early"
        case .pre: return "Pre"
        case .pro: return "Pro"
        }
    }

    /// The class whose name equals `folderName` ignoring case ("benign", "EARLY", ...), or nil.
    public init?(folderName: String) {
        let lowered = folderName.lowercased()
        guard let match = LeukemiaClass.allCases.first(where: { $0.name.lowercased() == lowered }) else {
            return nil
        }
        self = match
    }

    /// The names of all classes in index order.
    public static var names: [String] { allCases.map(\.name) }

    public static func < (lhs: LeukemiaClass, rhs: LeukemiaClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
