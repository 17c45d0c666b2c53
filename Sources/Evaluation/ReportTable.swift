import Foundation

/// A table for reports: a header and rows of text (each row padded or cut to the header's
/// width), each column aligned left or right. Rendered as Markdown (`markdown`), CSV per
/// RFC 4180 (`csv`) and, in the Reporting target, HTML.
public struct ReportTable: Sendable, Equatable {
    public enum Alignment: String, Sendable {
        case left, right
    }

    public var header: [String]
    public var rows: [[String]]
    /// One a column.
    public var alignments: [Alignment]
    /// A line above the table in HTML (not part of the Markdown or CSV).
    public var caption: String?

    /// `alignments` nil: a column is right-aligned when it has a numeric cell and every cell of
    /// it is numeric or a placeholder (`isNumeric`, `isPlaceholder`), left-aligned otherwise.
    public init(header: [String], rows: [[String]], alignments: [Alignment]? = nil, caption: String? = nil) {
        let rows = rows.map { row in Array(row.prefix(header.count)) + Array(repeating: "", count: max(0, header.count - row.count)) }
        self.header = header
        self.rows = rows
        self.caption = caption
        self.alignments = alignments ?? header.indices.map { column in
            let cells = rows.map { $0[column] }.filter { !Self.isPlaceholder($0) }
            return !cells.isEmpty && cells.allSatisfy(Self.isNumeric) ? .right : .left
        }
    }

    /// Whether `cell` begins with a number: an optional sign (`-`, `+`, `−`), digits with an
    /// optional decimal point and exponent, then the end or a space, `%` or `[`/`(`, as in
    /// "0.912", "−3", "95%", "1e-4", "0.91 [0.89, 0.93]".
    public static func isNumeric(_ cell: String) -> Bool {
        let text = cell.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "−", with: "-")
        let token = text.prefix { !" %[(".contains($0) }
        return !token.isEmpty && Double(token) != nil && token.contains(where: \.isNumber)
    }

    /// Cells that say "no value" and don't decide a column's alignment: empty, "-", "—", "n/a", "undefined".
    public static func isPlaceholder(_ cell: String) -> Bool {
        ["", "-", "—", "–", "n/a", "undefined"].contains(cell.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
