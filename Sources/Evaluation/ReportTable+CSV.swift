import Foundation

extension ReportTable {
    /// The table as CSV per RFC 4180: the header record, then the rows, each record ending in
    /// CRLF; a field containing a comma, a double quote, CR or LF is enclosed in double quotes,
    /// its quotes doubled.
    public var csv: String {
        func field(_ cell: String) -> String {
            cell.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        return ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }
}
