import Evaluation

/// One block of a `ReportPage`, in page order.
public enum ReportSection: Sendable {
    /// `level` 1...6 (1 is the page's title level).
    case heading(String, level: Int)
    case paragraph(String)
    case table(ReportTable)
    /// Figures side by side (wrapping), inline SVG, with an optional caption under them.
    case figures([Figure], caption: String?)
    case gallery([GalleryCard])
    /// "How to reproduce": the commands in a `<pre>` block, one a line, under a heading.
    case reproduce(commands: [String])
}
