import ToolkitSupport

/// A folder of cell records (`leukemia cells --out`) that cannot be used.
public enum CellRecordError: DescribedError, Equatable {
    /// A record file that cannot be read or is not a record.
    case unreadable(path: String, reason: String)
    /// A folder without any `*.cells.json` file.
    case noRecords(folder: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read the cell record \(path): \(reason)"
        case let .noRecords(folder):
            return "\(folder) holds no cell record (*.cells.json); write them with `leukemia cells IMAGES --out \(folder)`"
        }
    }
}
