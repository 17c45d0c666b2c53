import Foundation

extension Axis {
    /// The round step (1, 2 or 5 times a power of ten; at least 1 when `integer`) that cuts
    /// `range` into about `count` intervals.
    package static func niceStep(for range: ClosedRange<Double>, count: Int, integer: Bool = false) -> Double {
        let raw = max(range.upperBound - range.lowerBound, 1e-12) / Double(max(count, 1))
        let power = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / power
        let nice = fraction <= 1 + 1e-9 ? 1.0 : fraction <= 2 + 1e-9 ? 2.0 : fraction <= 5 + 1e-9 ? 5.0 : 10.0
        return integer ? max(1, (nice * power).rounded()) : nice * power
    }

    /// The multiples of `step` inside `range` (with a tolerance of a millionth of a step), labelled.
    package static func ticks(in range: ClosedRange<Double>, step: Double) -> [Tick] {
        let first = Int((range.lowerBound / step - 1e-6).rounded(.up)), last = Int((range.upperBound / step + 1e-6).rounded(.down))
        guard first <= last else { return [] }
        return (first...last).map { index in
            let value = Double(index) * step
            return Tick(position: value, label: tickLabel(value, step: step))
        }
    }

    /// `value` with as many decimals as `step` needs, trailing zeros dropped: 0, 0.2, 1, 2.5, 1000.
    package static func tickLabel(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step) + 1e-9).rounded(.up)))
        var text = String(format: "%.\(min(decimals, 12))f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
