import Datasets
/// Which augmented views test-time augmentation averages.
///
/// Measured on the ALL data (427 test images, EfficientNet-Lite0): views drawn with the study's
/// strong training augmentation lowered the test accuracy from 0.981 to 0.895 for a head trained
/// on plain features, and from 0.953 to 0.946 for a top-blocks fine-tuning trained with that
/// augmentation; so mirror images are the default.
public enum TestTimeViews: String, Codable, Sendable, CaseIterable {
    /// Each view is the image or its mirror image (drawn at random, seeded).
    case mirror
    /// Each view is drawn from the run's training augmentation (the study's if it trained without).
    case training

    /// The augmentation the views are drawn from for a run trained with `options`.
    public func policy(for options: CNNTrainingOptions) -> AugmentationPolicy {
        switch self {
        case .mirror:
            return AugmentationPolicy(rotationDegrees: 0, widthShift: 0, heightShift: 0, shearDegrees: 0, zoom: 0,
                                      horizontalFlip: true)
        case .training:
            return options.augmentation ?? .study
        }
    }
}
