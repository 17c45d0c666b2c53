/// A self-contained HTML report (`html`): a title and sections, styled by an inline style
/// sheet, with figures as inline SVG and images as data URIs; no script, font or style sheet
/// from anywhere else.
public struct ReportPage: Sendable {
    public var title: String
    public var sections: [ReportSection]

    public init(title: String, sections: [ReportSection] = []) {
        (self.title, self.sections) = (title, sections)
    }

    public mutating func append(_ section: ReportSection) {
        sections.append(section)
    }
}
