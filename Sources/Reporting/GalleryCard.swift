/// One image of a report's gallery (a misclassified image): the thumbnail, optionally its
/// Grad-CAM overlay beside it, and caption lines under them (true and predicted class,
/// probabilities, cost, prediction set, ...).
public struct GalleryCard: Sendable, Equatable {
    public var image: DataURI
    /// The alternative text of the thumbnail (its file name, say).
    public var alt: String
    public var overlay: DataURI?
    public var captionLines: [String]

    public init(image: DataURI, alt: String, overlay: DataURI? = nil, captionLines: [String]) {
        (self.image, self.alt, self.overlay, self.captionLines) = (image, alt, overlay, captionLines)
    }
}
