/// The eight symmetries of a square (the dihedral group D4): the image itself, its rotations by
/// 90°, 180° and 270° and its four mirror images. Each moves pixels exactly, without
/// interpolation; on a blood smear, which has no up or left, every one of them is an equally valid
/// view of the same cells (test-time augmentation's `orientations` views).
public enum SquareSymmetry: Int, Sendable, CaseIterable, Codable {
    case identity
    /// Left and right exchanged (x → width − 1 − x).
    case mirrorLeftRight
    /// Top and bottom exchanged (y → height − 1 − y).
    case mirrorTopBottom
    case rotation180
    /// Rows become columns: pixel (x, y) moves to (y, x).
    case transpose
    /// A quarter turn clockwise on screen.
    case rotation90
    /// A quarter turn counter-clockwise on screen.
    case rotation270
    /// The transpose across the other diagonal: pixel (x, y) moves to (height − 1 − y, width − 1 − x).
    case antiTranspose

    /// Whether width and height trade places.
    public var swapsSides: Bool { rawValue >= SquareSymmetry.transpose.rawValue }

    /// The source pixel `(x, y)` of a `width` x `height` image that lands at `(u, v)` of the output
    /// (whose width is `height` when `swapsSides`).
    func source(ofOutput u: Int, _ v: Int, width: Int, height: Int) -> (x: Int, y: Int) {
        switch self {
        case .identity: return (u, v)
        case .mirrorLeftRight: return (width - 1 - u, v)
        case .mirrorTopBottom: return (u, height - 1 - v)
        case .rotation180: return (width - 1 - u, height - 1 - v)
        case .transpose: return (v, u)
        case .rotation90: return (v, height - 1 - u)
        case .rotation270: return (width - 1 - v, u)
        case .antiTranspose: return (width - 1 - v, height - 1 - u)
        }
    }
}
