import Foundation

extension Canvas {
    /// The pixels per font pixel for text of `size` pixels: 1 (a 5 x 7 glyph, 6-pixel advance)
    /// below 15, 2 from 15 (titles).
    package static func fontScale(forSize size: Double) -> Int { size >= 15 ? 2 : 1 }

    /// The width in pixels of `text` set at `scale`.
    package static func textWidth(_ text: String, scale: Int) -> Int {
        max(0, text.count * BitmapFont.advance - 1) * scale
    }

    /// Draws `text` in the bitmap font with its baseline through `anchor` (the start, middle or
    /// end of the text per `style.anchor`), turned `style.rotation` degrees clockwise about it;
    /// bold text is drawn twice, one pixel apart.
    package mutating func draw(_ text: String, at anchor: PixelPoint, style: TextStyle) {
        let scale = Self.fontScale(forSize: style.size), width = Double(Self.textWidth(text, scale: scale))
        let start = switch style.anchor {
        case .start: 0.0
        case .middle: -width / 2
        case .end: -width
        }
        let angle = style.rotation * .pi / 180, cosine = cos(angle), sine = sin(angle)
        for (index, character) in text.enumerated() {
            for column in 0..<BitmapFont.glyphWidth {
                for row in 0..<BitmapFont.glyphHeight where BitmapFont.isLit(character, column: column, row: row) {
                    for dy in 0..<scale {
                        for dx in 0..<scale + (style.bold ? 1 : 0) {
                            let localX = start + Double((index * BitmapFont.advance + column) * scale + dx) + 0.5
                            let localY = Double((row - BitmapFont.glyphHeight) * scale + dy) + 0.5
                            let x = anchor.x + localX * cosine - localY * sine, y = anchor.y + localX * sine + localY * cosine
                            set(Int(x.rounded(.down)), Int(y.rounded(.down)), style.color.tuple)
                        }
                    }
                }
            }
        }
    }
}
