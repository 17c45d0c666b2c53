import Datasets
import Imaging

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
    /// The views are the image's other seven orientations, in `SquareSymmetry` order (mirror
    /// left-right, mirror top-bottom, rotation by 180°, transpose, rotations by 90° and 270°,
    /// anti-transpose): exact pixel moves, no interpolation, nothing drawn at random.
    case orientations

    /// The most views the kind has: 7 distinct orientations; the drawn kinds, `CNNRun`'s limit.
    public var maximumViews: Int { self == .orientations ? SquareSymmetry.allCases.count - 1 : 64 }

    /// How view `view` (1, 2, ...) of an image is made for a run trained with `options`.
    func view(_ view: Int, options: CNNTrainingOptions) -> CNNInference.View {
        switch self {
        case .mirror:
            return .drawn(AugmentationPolicy(rotationDegrees: 0, widthShift: 0, heightShift: 0, shearDegrees: 0, zoom: 0,
                                             horizontalFlip: true))
        case .training:
            return .drawn(options.augmentation ?? .study)
        case .orientations:
            return .oriented(SquareSymmetry.allCases[view])
        }
    }
}
