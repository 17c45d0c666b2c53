import Foundation
import Imaging
import Randomness

/// Random geometric augmentation with the semantics of Keras' `ImageDataGenerator`, which the
/// study used: each parameter is the half-width of a uniform range.
public struct AugmentationPolicy: Codable, Sendable, Equatable {
    /// Rotation angle drawn from ±`rotationDegrees`.
    public var rotationDegrees: Double
    /// Horizontal shift drawn from ±`widthShift` × width.
    public var widthShift: Double
    /// Vertical shift drawn from ±`heightShift` × height.
    public var heightShift: Double
    /// Shear angle in degrees drawn from ±`shearDegrees` (Keras' `shear_range` is an angle in degrees).
    public var shearDegrees: Double
    /// Zoom factors for x and y drawn independently from [1 − `zoom`, 1 + `zoom`].
    public var zoom: Double
    /// Whether half of the images are mirrored left to right.
    public var horizontalFlip: Bool
    /// What a moved image shows where it samples outside the original.
    public var fill: Fill
    /// Whether each image is first put in one of the square's eight orientations (rotations by
    /// 90° and mirror images, `SquareSymmetry`), drawn uniformly, moved exactly; on a non-square
    /// image only the four that keep its sides. Off in the study's policy; a smear has no up or left.
    public var randomOrientation: Bool

    /// What an augmented image shows outside the original (Keras' `fill_mode`).
    public enum Fill: String, Codable, Sendable, CaseIterable {
        /// The nearest edge pixel repeated: Keras' default, the study's.
        case nearest
        /// The image mirrored at its edges (`WarpBorder.reflect`).
        case reflect

        var border: WarpBorder { self == .nearest ? .nearest : .reflect }
    }

    public init(rotationDegrees: Double, widthShift: Double, heightShift: Double, shearDegrees: Double,
                zoom: Double, horizontalFlip: Bool, fill: Fill = .nearest, randomOrientation: Bool = false) {
        self.rotationDegrees = rotationDegrees
        self.widthShift = widthShift
        self.heightShift = heightShift
        self.shearDegrees = shearDegrees
        self.zoom = zoom
        self.horizontalFlip = horizontalFlip
        self.fill = fill
        self.randomOrientation = randomOrientation
    }

    private enum CodingKeys: String, CodingKey {
        case rotationDegrees, widthShift, heightShift, shearDegrees, zoom, horizontalFlip, fill, randomOrientation
    }

    /// Reads a recorded policy; runs recorded before `fill` and `randomOrientation` existed used
    /// `.nearest` and no orientations.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rotationDegrees: try container.decode(Double.self, forKey: .rotationDegrees),
                  widthShift: try container.decode(Double.self, forKey: .widthShift),
                  heightShift: try container.decode(Double.self, forKey: .heightShift),
                  shearDegrees: try container.decode(Double.self, forKey: .shearDegrees),
                  zoom: try container.decode(Double.self, forKey: .zoom),
                  horizontalFlip: try container.decode(Bool.self, forKey: .horizontalFlip),
                  fill: try container.decodeIfPresent(Fill.self, forKey: .fill) ?? .nearest,
                  randomOrientation: try container.decodeIfPresent(Bool.self, forKey: .randomOrientation) ?? false)
    }

    /// The study's augmentation: rotation 40°, shifts 0.4, shear 0.4, zoom 0.4, horizontal flip.
    public static let study = AugmentationPolicy(rotationDegrees: 40, widthShift: 0.4, heightShift: 0.4,
                                                 shearDegrees: 0.4, zoom: 0.4, horizontalFlip: true)

    /// A random map for a `width` x `height` image, about its centre.
    public func randomMap(width: Int, height: Int, generator: inout SeededGenerator) -> AffineMap {
        func uniform(_ halfWidth: Double) -> Double { (generator.nextUnitDouble() * 2 - 1) * halfWidth }
        let degrees = Double.pi / 180
        let flip = horizontalFlip && generator.nextUnitDouble() < 0.5 ? -1.0 : 1.0
        let rotation = uniform(rotationDegrees) * degrees
        let shear = uniform(shearDegrees) * degrees
        let zoomX = 1 + uniform(zoom), zoomY = 1 + uniform(zoom)
        let shiftX = uniform(widthShift) * Double(width), shiftY = uniform(heightShift) * Double(height)
        return AffineMap.scaling(x: flip * zoomX, y: zoomY)
            .followed(by: .shear(x: tan(shear), y: 0))
            .followed(by: .rotation(radians: rotation))
            .centered(width: width, height: height)
            .followed(by: .translation(x: shiftX, y: shiftY))
    }

    /// `image` in a random orientation (when `randomOrientation`; drawn first, and only then, so
    /// that policies without it draw what they always drew), then moved by a random map; outside
    /// the source it shows what `fill` says.
    public func augment(_ image: RGBImage, generator: inout SeededGenerator) throws -> RGBImage {
        var image = image
        if randomOrientation {
            let choices = SquareSymmetry.allCases.filter { image.width == image.height || !$0.swapsSides }
            image = image.transformed(by: choices[min(choices.count - 1, Int(generator.nextUnitDouble() * Double(choices.count)))])
        }
        return try image.warped(by: randomMap(width: image.width, height: image.height, generator: &generator), border: fill.border)
    }
}
