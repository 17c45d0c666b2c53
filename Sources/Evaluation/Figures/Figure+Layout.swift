import Foundation

/// Where a figure's parts go, in pixels.
package struct FigureLayout: Sendable {
    /// Each legend entry with the left end, vertical centre, of its sample.
    package var legend: [(entry: LegendEntry, origin: PixelPoint)]
    /// The plot area of each chart, in chart order.
    package var plots: [PixelRect]
    /// The colour scale's bar, right of the last chart.
    package var colorBar: PixelRect?
}

extension Figure {
    package static let titleSize = 16.0, chartTitleSize = 13.0, labelSize = 12.0, tickSize = 11.0
    /// The outer margin, pixels.
    package static let padding = 12.0
    /// Tick labels slant this many degrees (upwards to the right, read from their end).
    package static let slant = 35.0

    /// An estimate of the width of `text` in a sans-serif font of `size` pixels (0.6 em a character).
    package static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }

    /// Title on top, then the legend in rows wrapped to the width, then the charts side by side
    /// in equal cells (the colour scale takes 96 pixels on the right), each plot area inset by
    /// its tick labels and axis labels.
    package func layout() -> FigureLayout {
        let pad = Self.padding, width = Double(self.width), height = Double(self.height)
        var top = pad + Self.titleSize + 8
        var legendItems: [(entry: LegendEntry, origin: PixelPoint)] = []
        if !legend.isEmpty {
            let rowHeight = 18.0
            var x = pad
            for entry in legend {
                let itemWidth = 28 + Self.textWidth(entry.label, size: Self.labelSize) + 16
                if x + itemWidth > width - pad, x > pad { (x, top) = (pad, top + rowHeight) }
                legendItems.append((entry, PixelPoint(x, top + rowHeight / 2)))
                x += itemWidth
            }
            top += rowHeight + 6
        }

        let cellWidth = (width - (colorBar == nil ? 0 : 96)) / Double(max(charts.count, 1))
        let plots = charts.enumerated().map { index, chart -> PixelRect in
            let cellX = Double(index) * cellWidth
            let yTickWidth = chart.y.ticks.map { Self.textWidth($0.label, size: Self.tickSize) }.max() ?? 0
            let longestXTick = chart.x.ticks.map { Self.textWidth($0.label, size: Self.tickSize) }.max() ?? 0
            let xTickHeight = chart.x.slantsTickLabels ? longestXTick * sin(Self.slant * .pi / 180) + Self.tickSize + 8
                : Self.tickSize + 10
            let left = cellX + pad + Self.labelSize + 10 + yTickWidth + 8
            let plotTop = top + (chart.title.isEmpty ? 6 : Self.chartTitleSize + 12)
            let bottom = height - pad - Self.labelSize - 8 - xTickHeight
            let right = cellX + cellWidth - pad - 4
            var plot = PixelRect(x: left, y: plotTop, width: max(right - left, 10), height: max(bottom - plotTop, 10))
            if chart.isSquare { plot.width = min(plot.width, plot.height); plot.height = plot.width }
            return plot
        }
        let colorBar = colorBar.flatMap { _ in plots.last }.map { PixelRect(x: $0.maxX + 24, y: $0.y, width: 16, height: $0.height) }
        return FigureLayout(legend: legendItems, plots: plots, colorBar: colorBar)
    }
}
