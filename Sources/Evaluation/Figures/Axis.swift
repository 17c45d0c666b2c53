import Foundation

/// One axis of a `Chart`: its label, the interval it shows and its labelled ticks.
///
/// Positions are in axis units: the data value on a linear or categorical axis, `log10` of the
/// value on a logarithmic one (`position(of:)` converts).
package struct Axis: Sendable {
    package var label: String
    /// The interval shown, in axis units.
    package var range: ClosedRange<Double>
    /// Tick positions (axis units) with their labels.
    package var ticks: [Tick]
    package var isLogarithmic = false
    /// Tick labels slanted (long class names under a heatmap).
    package var slantsTickLabels = false
    /// Light grid lines at the ticks (not on categorical axes).
    package var showsGrid = true

    package struct Tick: Sendable, Equatable {
        package var position: Double
        package var label: String
    }

    /// The axis position of a data value.
    package func position(of value: Double) -> Double {
        isLogarithmic ? log10(value) : value
    }

    /// Exactly `range`, with round ticks inside it (about `count`).
    package static func fixed(_ label: String, _ range: ClosedRange<Double>, count: Int = 5, integer: Bool = false) -> Axis {
        let step = niceStep(for: range, count: count, integer: integer)
        return Axis(label: label, range: range, ticks: ticks(in: range, step: step))
    }

    /// A range covering `values` (non-finite ones ignored) and `including`, widened to round
    /// ticks at both ends (about `count` ticks).
    package static func covering(_ label: String, _ values: [Double], including: [Double] = [], count: Int = 5,
                                 integer: Bool = false) -> Axis {
        let finite = (values + including).filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { (low, high) = integer ? (low, low + 1) : (low - 0.5, high + 0.5) }
        let step = niceStep(for: low...high, count: count, integer: integer)
        let range = (low / step).rounded(.down) * step...(high / step).rounded(.up) * step
        return Axis(label: label, range: range, ticks: ticks(in: range, step: step))
    }

    /// A base-10 logarithmic axis over the decades covering the positive `values`, a tick at each
    /// power of ten.
    package static func logarithmic(_ label: String, _ values: [Double]) -> Axis {
        let exponents = values.filter { $0 > 0 && $0.isFinite }.map(log10)
        var low = (exponents.min() ?? 0).rounded(.down), high = (exponents.max() ?? 0).rounded(.up)
        if low == high { (low, high) = (low - 1, high + 1) }
        let ticks = stride(from: low, through: high, by: 1).map { exponent in
            Tick(position: exponent, label: (-2...2).contains(exponent) ? tickLabel(pow(10, exponent), step: pow(10, min(exponent, 0)))
                : "1e\(Int(exponent))")
        }
        return Axis(label: label, range: low...high, ticks: ticks, isLogarithmic: true)
    }

    /// Category `i` at position `i`, the range -0.5...count - 0.5, no grid.
    package static func categorical(_ label: String, _ names: [String]) -> Axis {
        Axis(label: label, range: -0.5...Double(names.count) - 0.5,
             ticks: names.enumerated().map { Tick(position: Double($0.offset), label: $0.element) }, showsGrid: false)
    }
}
