import Foundation

extension Figure {
    /// The figure as pixel primitives, back to front: title, legend, then per chart its grid,
    /// marks, axes, ticks and labels, then the colour scale.
    package func scene() -> [Primitive] {
        let layout = layout()
        var scene: [Primitive] = [
            .text(title, at: PixelPoint(Self.padding, Self.padding + Self.titleSize), style: TextStyle(size: Self.titleSize, bold: true)),
        ]
        for (entry, origin) in layout.legend {
            switch entry.style {
            case .line(let dashed):
                scene.append(.polyline([origin, PixelPoint(origin.x + 22, origin.y)], color: entry.color, width: 2, dashed: dashed))
            case .swatch:
                scene.append(.rect(PixelRect(x: origin.x + 4, y: origin.y - 5, width: 14, height: 10), fill: entry.color, opacity: 1,
                                   stroke: nil))
            case .dot:
                scene.append(.circle(PixelPoint(origin.x + 11, origin.y), radius: 4, color: entry.color))
            }
            scene.append(.text(entry.label, at: PixelPoint(origin.x + 28, origin.y + Self.labelSize * 0.35),
                               style: TextStyle(size: Self.labelSize)))
        }
        for (chart, plot) in zip(charts, layout.plots) {
            scene += chart.scene(in: plot)
        }
        if let colorBar, let bar = layout.colorBar {
            scene += colorBar.scene(in: bar)
        }
        return scene
    }
}

extension Chart {
    /// The pixel position of a data point in `plot`.
    package func pixel(_ point: DataPoint, in plot: PixelRect) -> PixelPoint {
        PixelPoint(plot.x + Self.fraction(x.position(of: point.x), of: x.range) * plot.width,
                   plot.maxY - Self.fraction(y.position(of: point.y), of: y.range) * plot.height)
    }

    private static func fraction(_ value: Double, of range: ClosedRange<Double>) -> Double {
        let span = range.upperBound - range.lowerBound
        return span > 0 ? (value - range.lowerBound) / span : 0.5
    }

    /// Grid, marks, axis lines, ticks with labels, axis labels and title of a chart whose plot area is `plot`.
    package func scene(in plot: PixelRect) -> [Primitive] {
        var scene: [Primitive] = []
        let tickStyle = TextStyle(size: Figure.tickSize), size = Figure.tickSize
        let xTicks = x.ticks.map { (plot.x + Self.fraction($0.position, of: x.range) * plot.width, $0.label) }
        let yTicks = y.ticks.map { tick in
            (plot.maxY - Self.fraction(tick.position, of: y.range) * plot.height, tick.label)
        }
        if x.showsGrid {
            scene += xTicks.map { .polyline([PixelPoint($0.0, plot.y), PixelPoint($0.0, plot.maxY)], color: .grid, width: 1, dashed: false) }
        }
        if y.showsGrid {
            scene += yTicks.map { .polyline([PixelPoint(plot.x, $0.0), PixelPoint(plot.maxX, $0.0)], color: .grid, width: 1, dashed: false) }
        }
        for mark in marks { scene += self.scene(of: mark, in: plot) }

        scene.append(.polyline([PixelPoint(plot.x, plot.y), PixelPoint(plot.x, plot.maxY), PixelPoint(plot.maxX, plot.maxY)],
                               color: .ink, width: 1, dashed: false))
        for (position, label) in xTicks {
            scene.append(.polyline([PixelPoint(position, plot.maxY), PixelPoint(position, plot.maxY + 4)], color: .ink, width: 1, dashed: false))
            if x.slantsTickLabels {
                var style = tickStyle
                (style.anchor, style.rotation) = (.end, -Figure.slant)
                scene.append(.text(label, at: PixelPoint(position + 3, plot.maxY + 8 + size * 0.7), style: style))
            } else {
                var style = tickStyle
                style.anchor = .middle
                scene.append(.text(label, at: PixelPoint(position, plot.maxY + 6 + size), style: style))
            }
        }
        for (position, label) in yTicks {
            scene.append(.polyline([PixelPoint(plot.x - 4, position), PixelPoint(plot.x, position)], color: .ink, width: 1, dashed: false))
            var style = tickStyle
            style.anchor = .end
            scene.append(.text(label, at: PixelPoint(plot.x - 7, position + size * 0.35), style: style))
        }

        let labelSize = Figure.labelSize
        let xTickHeight = x.slantsTickLabels
            ? (x.ticks.map { Figure.textWidth($0.label, size: size) }.max() ?? 0) * sin(Figure.slant * .pi / 180) + size + 8
            : size + 10
        scene.append(.text(x.label, at: PixelPoint(plot.midX, plot.maxY + xTickHeight + labelSize + 4),
                           style: TextStyle(size: labelSize, anchor: .middle)))
        let yTickWidth = y.ticks.map { Figure.textWidth($0.label, size: size) }.max() ?? 0
        scene.append(.text(y.label, at: PixelPoint(plot.x - yTickWidth - 16, plot.midY),
                           style: TextStyle(size: labelSize, anchor: .middle, rotation: -90)))
        if !title.isEmpty {
            scene.append(.text(title, at: PixelPoint(plot.x, plot.y - 8), style: TextStyle(size: Figure.chartTitleSize, bold: true)))
        }
        return scene
    }

    private func scene(of mark: Mark, in plot: PixelRect) -> [Primitive] {
        switch mark {
        case let .line(points, color, width, dashed):
            var runs: [[PixelPoint]] = [[]]
            for point in points {
                if point.x.isFinite, point.y.isFinite, !(x.isLogarithmic && point.x <= 0), !(y.isLogarithmic && point.y <= 0) {
                    runs[runs.count - 1].append(pixel(point, in: plot))
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            return runs.filter { !$0.isEmpty }.map { run in
                run.count == 1 ? .circle(run[0], radius: width + 1.5, color: color) : .polyline(run, color: color, width: width, dashed: dashed)
            }
        case let .rect(xRange, yRange, fill, opacity):
            let corner = pixel(DataPoint(xRange.lowerBound, yRange.upperBound), in: plot)
            let opposite = pixel(DataPoint(xRange.upperBound, yRange.lowerBound), in: plot)
            return [.rect(PixelRect(x: corner.x, y: corner.y, width: opposite.x - corner.x, height: opposite.y - corner.y),
                          fill: fill, opacity: opacity, stroke: nil)]
        case let .dot(point, radius, color):
            return [.circle(pixel(point, in: plot), radius: radius, color: color)]
        case let .label(text, point, color, size):
            let center = pixel(point, in: plot)
            return [.text(text, at: PixelPoint(center.x, center.y + size * 0.35), style: TextStyle(size: size, color: color, anchor: .middle))]
        }
    }
}

extension ColorBar {
    /// The bar in 64 slices (start colour at the bottom), its outline, ticks and labels on the
    /// right, and the axis label beyond them.
    package func scene(in bar: PixelRect) -> [Primitive] {
        let slices = 64
        var scene: [Primitive] = (0..<slices).map { slice in
            let sliceHeight = bar.height / Double(slices)
            return .rect(PixelRect(x: bar.x, y: bar.maxY - Double(slice + 1) * sliceHeight, width: bar.width, height: sliceHeight + 0.5),
                         fill: palette.color(at: (Double(slice) + 0.5) / Double(slices)), opacity: 1, stroke: nil)
        }
        scene.append(.rect(bar, fill: nil, opacity: 1, stroke: .ink))
        let span = axis.range.upperBound - axis.range.lowerBound
        var widest = 0.0
        for tick in axis.ticks {
            let y = bar.maxY - (span > 0 ? (tick.position - axis.range.lowerBound) / span : 0) * bar.height
            scene.append(.polyline([PixelPoint(bar.maxX, y), PixelPoint(bar.maxX + 4, y)], color: .ink, width: 1, dashed: false))
            scene.append(.text(tick.label, at: PixelPoint(bar.maxX + 7, y + Figure.tickSize * 0.35), style: TextStyle(size: Figure.tickSize)))
            widest = max(widest, Figure.textWidth(tick.label, size: Figure.tickSize))
        }
        scene.append(.text(axis.label, at: PixelPoint(bar.maxX + 7 + widest + 16, bar.midY),
                           style: TextStyle(size: Figure.labelSize, anchor: .middle, rotation: -90)))
        return scene
    }
}
