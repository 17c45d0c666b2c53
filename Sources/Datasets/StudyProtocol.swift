import Imaging

/// The fixed choices of the published study that this toolkit reproduces.
public enum StudyProtocol {
    /// Network and feature input size: images are resized to this square size.
    public static let inputSize = 224
    /// The HSV "purple" range that finds stained lymphoblasts (H in [0.7, 0.8], S >= 0.5, V >= 0.4).
    public static let purpleRange = HSVRange(hue: 0.7...0.8, minimumSaturation: 0.5, minimumValue: 0.4)
    /// The study's train / validation / test proportions.
    public static let defaultSplit = (train: 0.64, validation: 0.20, test: 0.16)
}
