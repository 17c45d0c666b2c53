/// The colour scale beside a heatmap: `palette` spans `axis.range` (start colour at its lower
/// bound, end colour at its upper), drawn as a vertical bar with the axis's ticks.
package struct ColorBar: Sendable {
    package var palette: SequentialPalette
    package var axis: Axis

    /// The colour of `value` on this scale.
    package func color(of value: Double) -> FigureColor {
        let span = axis.range.upperBound - axis.range.lowerBound
        return palette.color(at: span > 0 ? (value - axis.range.lowerBound) / span : 0)
    }
}
