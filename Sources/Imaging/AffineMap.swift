import Foundation

/// A 2-D affine map of pixel positions, x' = a·x + b·y + tx, y' = c·x + d·y + ty, in image
/// coordinates: x to the right, y downwards, pixel (i, j) centred at (i, j). (Named apart from
/// Foundation's `AffineTransform`, which would make the name ambiguous for clients.)
public struct AffineMap: Sendable, Equatable, Codable {
    /// The linear part [a b; c d] and the translation (tx, ty).
    public var a, b, c, d, tx, ty: Double

    /// The map with these coefficients.
    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        (self.a, self.b, self.c, self.d, self.tx, self.ty) = (a, b, c, d, tx, ty)
    }

    /// The map that leaves every point in place.
    public static let identity = AffineMap(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    /// A shift by (x, y) pixels.
    public static func translation(x: Double, y: Double) -> AffineMap {
        AffineMap(a: 1, b: 0, c: 0, d: 1, tx: x, ty: y)
    }

    /// A rotation about the origin; positive angles turn clockwise on screen (y points down).
    public static func rotation(radians angle: Double) -> AffineMap {
        AffineMap(a: cos(angle), b: -sin(angle), c: sin(angle), d: cos(angle), tx: 0, ty: 0)
    }

    /// A scaling about the origin (zoom; a negative factor flips that axis).
    public static func scaling(x: Double, y: Double) -> AffineMap {
        AffineMap(a: x, b: 0, c: 0, d: y, tx: 0, ty: 0)
    }

    /// A shear about the origin: x' = x + `x`·y (horizontal) and y' = y + `y`·x (vertical).
    public static func shear(x: Double, y: Double) -> AffineMap {
        AffineMap(a: 1, b: x, c: y, d: 1, tx: 0, ty: 0)
    }

    /// `self` followed by `next`.
    public func followed(by next: AffineMap) -> AffineMap {
        AffineMap(a: next.a * a + next.b * c, b: next.a * b + next.b * d,
                        c: next.c * a + next.d * c, d: next.c * b + next.d * d,
                        tx: next.a * tx + next.b * ty + next.tx, ty: next.c * tx + next.d * ty + next.ty)
    }

    /// This map performed about the centre of a `width` x `height` image instead of the origin
    /// (rotations turn about the centre, a scaling of -1 on x mirrors the image in place).
    public func centered(width: Int, height: Int) -> AffineMap {
        let centerX = Double(width - 1) / 2, centerY = Double(height - 1) / 2
        return AffineMap.translation(x: -centerX, y: -centerY)
            .followed(by: self)
            .followed(by: .translation(x: centerX, y: centerY))
    }

    /// The image of point (x, y).
    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + tx, c * x + d * y + ty)
    }

    /// The inverse map, or nil when the linear part is singular (for example a zero scaling).
    public var inverse: AffineMap? {
        let determinant = a * d - b * c
        guard determinant.isFinite, abs(determinant) > 1e-12 else { return nil }
        let ia = d / determinant, ib = -b / determinant, ic = -c / determinant, id = a / determinant
        return AffineMap(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }
}
