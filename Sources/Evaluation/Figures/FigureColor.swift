import Foundation

/// An sRGB colour, 8 bits a channel.
public struct FigureColor: Hashable, Sendable {
    public let red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// From `0xRRGGBB`.
    package init(hex: UInt32) {
        self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF))
    }

    /// `#rrggbb`, lower case.
    public var hex: String {
        "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The (red, green, blue) triple a `Canvas` takes.
    package var tuple: (UInt8, UInt8, UInt8) { (red, green, blue) }

    /// WCAG relative luminance: 0 for black, 1 for white.
    package var luminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let value = Double(channel) / 255
            return value <= 0.03928 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// Black or white, whichever contrasts more with this colour (for text on a filled cell).
    package var contrastingText: FigureColor {
        // Contrast ratios (L1 + 0.05) / (L2 + 0.05) against white and black cross at L ≈ 0.179.
        luminance > 0.179 ? .black : .white
    }

    /// `self` moved a `fraction` (0...1) of the way to `other`, channel by channel.
    package func mixed(with other: FigureColor, _ fraction: Double) -> FigureColor {
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * fraction).rounded()) }
        return FigureColor(mix(red, other.red), mix(green, other.green), mix(blue, other.blue))
    }

    public static let black = FigureColor(0, 0, 0)
    public static let white = FigureColor(255, 255, 255)
    /// Axis lines and text.
    package static let ink = FigureColor(hex: 0x222222)
    /// Grid lines.
    package static let grid = FigureColor(hex: 0xE3E3E3)
    /// Reference lines (chance diagonal, perfect calibration).
    package static let reference = FigureColor(hex: 0x8C8C8C)
}
