import Foundation

extension ReportTable {
    /// The table as Markdown lines: header, the alignment row (`---` left, `---:` right), then
    /// the rows; `|` in a cell is escaped and line breaks become spaces.
    public var markdownLines: [String] {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { cell in
                cell.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ")
                    .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
            }.joined(separator: " | ") + " |"
        }
        return [line(header), line(alignments.map { $0 == .right ? "---:" : "---" })] + rows.map(line)
    }

    /// `markdownLines` joined, ending with a newline.
    public var markdown: String { markdownLines.joined(separator: "\n") + "\n" }
}
