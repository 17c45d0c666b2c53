/// An 8-bit RGB colour, each channel on 0...255.
public struct RGBColor: Sendable, Equatable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The `Viridis` colour of `t` (clamped to 0...1), rounded: for colouring by a weight or a score.
    public static func viridis(_ t: Float) -> RGBColor {
        let color = Viridis.color(at: t)
        return RGBColor(red: UInt8(color.red.rounded()), green: UInt8(color.green.rounded()),
                        blue: UInt8(color.blue.rounded()))
    }
}
