/// A figure for a report: charts side by side under a title and a legend, with an optional
/// colour scale. Built by the factories (`Figure.confusionHeatmap`, `.rocCurves`,
/// `.reliabilityDiagram`, `.trainingCurves`, `.riskCoverage`); rendered to SVG (`svg`) for the
/// HTML report and rasterized (`rasterized()`) for `curves.png`, both from the same `scene()`.
///
/// Text is sans-serif, 11 px (ticks) to 16 px (title); colours come from `FigurePalette`
/// (Okabe–Ito lines) and `SequentialPalette` (viridis heatmaps).
public struct Figure: Sendable {
    /// A short machine name: the SVG's `data-figure` attribute ("confusion-counts", "roc", ...).
    public var name: String
    public var title: String
    /// Size in pixels.
    public var width: Int, height: Int
    package var charts: [Chart]
    package var legend: [LegendEntry]
    package var colorBar: ColorBar?

    package init(name: String, title: String, width: Int, height: Int, charts: [Chart], legend: [LegendEntry] = [],
                 colorBar: ColorBar? = nil) {
        (self.name, self.title, self.width, self.height) = (name, title, width, height)
        (self.charts, self.legend, self.colorBar) = (charts, legend, colorBar)
    }
}
