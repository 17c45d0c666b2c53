/// How an image becomes the square input of a model.
public enum ResizePolicy: String, Codable, CaseIterable, Sendable {
    /// Both sides scaled to `size` independently (the aspect ratio changes); the study's choice.
    case squash
    /// The shorter side scaled to `size`, then the centred `size` x `size` square cut out
    /// (torchvision's `Resize(size)` followed by `CenterCrop(size)`; the aspect ratio is kept and
    /// the ends of the longer side are lost).
    case centerCrop = "center-crop"
}
