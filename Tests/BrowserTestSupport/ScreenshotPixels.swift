import Imaging

/// A rectangle in CSS pixels, as WebDriver reports an element's box.
public struct ElementRect: Sendable, Equatable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var description: String { "\(width) x \(height) at (\(x), \(y))" }
}

/// The fraction (0...1) of the screenshot pixels inside `rect` that differ from `background` by
/// more than `tolerance` in some channel: 0 for a blank figure.
///
/// `rect` is in CSS pixels and `scale` is the device pixel ratio (`BrowserSession.devicePixelRatio`);
/// the pixels counted are those whose centres lie inside the scaled rectangle.
/// - Throws: `BrowserTestError` if the rectangle holds no pixel or reaches outside the screenshot
///   (a viewport screenshot shows only what is scrolled into view: make the viewport larger, or
///   take the element's own screenshot).
public func nonBackgroundPixelFraction(in rect: ElementRect, of screenshot: RGBImage, background: RGBColor = RGBColor(red: 255, green: 255, blue: 255),
                                       tolerance: Int = 8, scale: Double = 1) throws -> Double {
    let left = Int((rect.x * scale).rounded()), right = Int(((rect.x + rect.width) * scale).rounded())
    let top = Int((rect.y * scale).rounded()), bottom = Int(((rect.y + rect.height) * scale).rounded())
    guard left < right, top < bottom else {
        throw BrowserTestError("the rectangle \(rect) holds no screenshot pixel")
    }
    guard left >= 0, top >= 0, right <= screenshot.width, bottom <= screenshot.height else {
        throw BrowserTestError("the rectangle \(rect) (pixels \(left)..<\(right) x \(top)..<\(bottom)) reaches outside "
                               + "the \(screenshot.width) x \(screenshot.height) screenshot")
    }
    var differing = 0
    for y in top..<bottom {
        for x in left..<right {
            let pixel = screenshot.pixel(x: x, y: y)
            if abs(Int(pixel.red) - Int(background.red)) > tolerance || abs(Int(pixel.green) - Int(background.green)) > tolerance
                || abs(Int(pixel.blue) - Int(background.blue)) > tolerance {
                differing += 1
            }
        }
    }
    return Double(differing) / Double((right - left) * (bottom - top))
}
