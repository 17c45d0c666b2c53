import Foundation

extension ReportTable {
    /// The table as CSV per RFC 4180: the header record, then the rows, each record ending in
    /// CRLF; a field containing a comma, a double quote, CR or LF is enclosed in double quotes,
    /// its quotes doubled.
    public var csv: String {
        ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One CSV field: `cell` as is, or enclosed in double quotes (its quotes doubled) when it
    /// holds a comma, a double quote, CR or LF.
    package static func csvField(_ cell: String) -> String {
        cell.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }
}
