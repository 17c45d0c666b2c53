/// The viridis colormap (van der Walt and Smith, matplotlib's default since 2.0): perceptually
/// uniform, readable by viewers with the common forms of colour blindness and in grey print,
/// running from dark purple (0) through blue and green to yellow (1).
///
/// The colours are matplotlib's viridis sampled at 0, 1/8, ..., 1 (`#440154`, `#472d7b`,
/// `#3b528b`, `#2c728e`, `#21918c`, `#28ae80`, `#5ec962`, `#addc30`, `#fde725`), interpolated
/// linearly between neighbours; that stays within a few units (of 255) of matplotlib's 256-entry table.
public enum Viridis {
    /// The sampled colours, RGB on 0...255, for t = 0, 1/8, ..., 1.
    static let anchors: [(red: Float, green: Float, blue: Float)] = [
        (68, 1, 84), (71, 45, 123), (59, 82, 139), (44, 114, 142), (33, 145, 140),
        (40, 174, 128), (94, 201, 98), (173, 220, 48), (253, 231, 37),
    ]

    /// The colour of `t`, clamped to 0...1 (NaN counts as 0), on 0...255 per channel (unrounded).
    public static func color(at t: Float) -> (red: Float, green: Float, blue: Float) {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Float(anchors.count - 1)
        let lower = min(Int(position), anchors.count - 2)
        let fraction = position - Float(lower)
        let (a, b) = (anchors[lower], anchors[lower + 1])
        return (a.red + (b.red - a.red) * fraction, a.green + (b.green - a.green) * fraction,
                a.blue + (b.blue - a.blue) * fraction)
    }
}
