import ArgumentParser
import Foundation
import LeukemiaKit
import Tensors

/// The test-time augmentation and precision options of `evaluate` and `predict`, and the run they open.
struct TestTimeAugmentationOption: ParsableArguments {
    @Option(help: "CNN runs: average each image's probabilities over N augmented views besides the image itself.")
    var tta: Int = 0

    @Option(name: .customLong("tta-views"), help: "Views for --tta: mirror (the image or its mirror image, at random), training (the run's training augmentation) or orientations (the other 7 of rotations by 90° and mirror images, exactly; --tta 7 takes all).")
    var ttaViews: TestTimeViews = .mirror

    @Option(help: "CNN runs: what convolutions compute in, fp32 or bf16 (mixed precision; needs a CPU with native bf16). Default: the run's.")
    var precision: ComputePrecision?

    /// The run directory at `path`, opened with these options.
    func openRun(_ path: String) throws -> any TrainedImageClassifier {
        try TrainedRuns.open(URL(fileURLWithPath: path), testTimeAugmentation: tta, views: ttaViews, precision: precision)
    }
}
