/// Colour-blind-safe palettes.
///
/// - Categorical lines use Okabe & Ito's eight colours ("Color Universal Design", 2008),
///   distinguishable under the common colour-vision deficiencies; they are ordered for lines on
///   white (blue, vermillion, bluish green, reddish purple, orange, sky blue, black, yellow: the
///   pale yellow last) and cycle beyond eight series.
/// - Sequential scales (heatmaps) use `SequentialPalette.viridis` (or `.cividis`), whose
///   lightness rises monotonically, so they read in grey and under deuteranopia.
public enum FigurePalette {
    public static let okabeIto: [FigureColor] = [
        0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000, 0xF0E442,
    ].map(FigureColor.init(hex:))

    /// The `index`-th categorical colour, cycling.
    public static func categorical(_ index: Int) -> FigureColor {
        okabeIto[((index % okabeIto.count) + okabeIto.count) % okabeIto.count]
    }
}
