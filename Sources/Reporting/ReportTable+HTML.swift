import Evaluation
import Plot

extension ReportTable {
    /// The table as an HTML `<table>`: the caption, a header row of `<th>`, then `<td>` rows;
    /// right-aligned columns carry `class="num"`. Text is escaped by Plot.
    var htmlNode: Node<HTML.BodyContext> {
        func cellClass(_ column: Int) -> Node<HTML.BodyContext> {
            alignments[column] == .right ? .class("num") : .empty
        }
        return .table(
            .unwrap(caption) { .caption(.text($0)) },
            .thead(.tr(.forEach(header.enumerated()) { column, name in .th(cellClass(column), .text(name)) })),
            .tbody(.forEach(rows) { row in
                .tr(.forEach(row.enumerated()) { column, cell in .td(cellClass(column), .text(cell)) })
            })
        )
    }
}
