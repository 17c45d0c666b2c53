/// The pixel layout of an encoded image, as stored in the file (before conversion to 8-bit RGB).
///
/// Read from the header alone by `ImageDecoder.sourceFormat(of:source:)`: the JPEG frame header
/// (through TurboJPEG) or the PNG IHDR chunk. Transparency declared outside IHDR (a PNG tRNS
/// chunk, for a palette or a colour key) is not seen, so such files count as without alpha.
public struct ImageSourceFormat: Hashable, Sendable, CustomStringConvertible {
    /// The file format, recognised by its magic bytes.
    public enum Container: String, Sendable {
        case jpeg, png
    }

    /// The colour channels stored per pixel.
    public enum Channels: String, Sendable {
        /// One luma channel (PNG colour type 0, one-component JPEG).
        case grey
        /// Luma and alpha (PNG colour type 4).
        case greyAlpha = "grey+alpha"
        /// Red, green, blue (PNG colour type 2; a JPEG stored as YCbCr or RGB).
        case rgb
        /// Red, green, blue and alpha (PNG colour type 6).
        case rgba
        /// Four-colour print separations (a JPEG stored as CMYK or YCCK).
        case cmyk
        /// Indices into a palette of 8-bit RGB colours (PNG colour type 3).
        case palette

        /// Whether the channels include alpha (composited onto white by the decoder).
        public var hasAlpha: Bool { self == .greyAlpha || self == .rgba }

        /// Whether the image holds luma only (replicated into R, G and B by the decoder).
        public var isGrey: Bool { self == .grey || self == .greyAlpha }

        /// The name used in `ImageSourceFormat.description`: "grey", "grey+alpha", "RGB", "RGBA",
        /// "CMYK", "palette".
        var label: String {
            switch self {
            case .grey, .greyAlpha, .palette: return rawValue
            case .rgb, .rgba, .cmyk: return rawValue.uppercased()
            }
        }
    }

    public var container: Container
    public var channels: Channels
    /// Bits per stored sample: 8 for JPEG; 1, 2, 4, 8 or 16 for PNG (for `.palette`, the bits
    /// per index; the palette colours themselves are 8-bit).
    public var bitsPerSample: Int
    /// The size in pixels.
    public var width: Int
    public var height: Int

    public init(container: Container, channels: Channels, bitsPerSample: Int, width: Int, height: Int) {
        self.container = container
        self.channels = channels
        self.bitsPerSample = bitsPerSample
        self.width = width
        self.height = height
    }

    /// A short label such as "JPEG RGB 8-bit", "PNG grey 16-bit", "PNG grey+alpha 8-bit".
    public var description: String {
        "\(container.rawValue.uppercased()) \(channels.label) \(bitsPerSample)-bit"
    }
}
