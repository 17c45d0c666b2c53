/// A sequential colour scale from `start` (fraction 0) to `end` (fraction 1): matplotlib's map
/// sampled at nine evenly spaced stops, interpolated linearly in sRGB between them.
public struct SequentialPalette: Sendable {
    public let name: String
    /// The colours at fractions 0, 1/8, ..., 1.
    package let stops: [FigureColor]

    /// Dark purple to yellow; the default for heatmaps.
    public static let viridis = SequentialPalette(name: "viridis", stops: [
        0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725,
    ].map(FigureColor.init(hex:)))

    /// Dark blue to yellow, designed to look the same under deuteranopia.
    public static let cividis = SequentialPalette(name: "cividis", stops: [
        0x00224E, 0x123570, 0x3B496C, 0x575D6D, 0x707173, 0x8A8779, 0xA69D75, 0xC4B56C, 0xFEE838,
    ].map(FigureColor.init(hex:)))

    public var start: FigureColor { stops[0] }
    public var end: FigureColor { stops[stops.count - 1] }

    /// The colour at `fraction`, clamped to 0...1 (NaN gives `start`).
    public func color(at fraction: Double) -> FigureColor {
        let clamped = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        let position = clamped * Double(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        return stops[lower].mixed(with: stops[lower + 1], position - Double(lower))
    }
}
