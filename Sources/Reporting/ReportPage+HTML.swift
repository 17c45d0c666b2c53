import Evaluation
import Plot

extension ReportPage {
    /// The page as one HTML5 document built with Plot: UTF-8, the title as `<title>` and `<h1>`,
    /// `ReportStyle.css` inline, then the sections in order inside `<main>`. Figures are inlined
    /// SVG (`Figure.svg`, whose text is escaped), images `data:` URIs; nothing is loaded from
    /// elsewhere and there is no script.
    public var html: String {
        HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: title),
                .style(ReportStyle.css)
            ),
            .body(.main(
                .h1(.text(title)),
                .forEach(sections) { $0.htmlNode }
            ))
        ).render()
    }
}

extension ReportSection {
    var htmlNode: Node<HTML.BodyContext> {
        switch self {
        case let .heading(text, level):
            return .element(named: "h\(min(max(level, 1), 6))", nodes: [.text(text)])
        case let .paragraph(text):
            return .p(.text(text))
        case let .table(table):
            return table.htmlNode
        case let .figures(figures, caption):
            return .element(named: "figure", nodes: [
                .class("figures"),
                .div(.class("row"), .forEach(figures) { .raw($0.svg) }),
                .unwrap(caption) { .element(named: "figcaption", nodes: [.text($0)]) },
            ])
        case let .gallery(cards):
            return .div(.class("gallery"), .forEach(cards) { card in
                .div(
                    .class("card"),
                    .div(.class("images"),
                         .img(.src(card.image.string), .alt(card.alt)),
                         .unwrap(card.overlay) { .img(.src($0.string), .alt("Grad-CAM of \(card.alt)")) }),
                    .forEach(card.captionLines) { .p(.text($0)) }
                )
            })
        case let .reproduce(commands):
            return .div(
                .class("reproduce"),
                .h2("How to reproduce"),
                .pre(.code(.text(commands.joined(separator: "\n"))))
            )
        }
    }
}
