import ArgumentParser
import Foundation
import LeukemiaKit
import Tensors
import ModelZoo
import Datasets
import Imaging

/// The options of `leukemia train` for CNN models; every one defaults to the study's choice.
struct CNNTrainingArguments: ParsableArguments {
    @Option(help: "Backbone of the hybrid model: \(Architecture.backbones.map(\.rawValue).joined(separator: ", ")) .")
    var backbone: Architecture?

    @Option(name: .customLong("hybrid-variant"),
            help: "The hybrid's U-Net: study (conv5 flattened, ~206 M weights in the first dense layer) or light (pooled, CPU-trainable).")
    var hybridVariant: HybridNetwork.Variant = .study

    @Option(help: ArgumentHelp("Starting weights: imagenet, none (train from scratch) or a safetensors FILE.",
                               valueName: "imagenet|none|FILE"))
    var weights: String = "imagenet"

    @Option(name: .customLong("weights-cache"),
            help: "Folder of pretrained weights <arch>.safetensors (default $LEUKEMIA_WEIGHTS_CACHE or ~/.cache/leukemia/weights).")
    var weightsCache: String?

    @Option(name: .customLong("feature-cache"),
            help: "Folder of cached frozen-backbone features (default $LEUKEMIA_FEATURE_CACHE or ~/.cache/leukemia/features).")
    var featureCache: String?

    @Option(help: "Transfer policy: frozen (head only, cached features), top-blocks, or full fine-tuning (the CNNs' default); for --model cell-attention frozen (default) or top-blocks.")
    var policy: TransferPolicy?

    @Option(name: .customLong("backbone-learning-rate"),
            help: "Adam's rate for the pretrained backbone's trained parameters, the head (and the hybrid's U-Net and dense head) keeping --learning-rate; with --model cell-attention --policy top-blocks its top blocks (default 1e-4).")
    var backboneLearningRate: Float?

    @Option(help: "What picks the kept epoch and drives reduce-on-plateau: loss (the study's validation loss, the hybrid's L2 term included), data-loss (without it) or accuracy.")
    var selection: ModelSelection = .loss

    @Option(name: .customLong("recompute-batch-norm"),
            help: ArgumentHelp("Recompute the batch normalizations' running statistics at the end of each epoch from this many unaugmented training images, dropout off (0: keep the training steps' running averages, the study's).", valueName: "images"))
    var batchNormRecomputationImages: Int = 0

    @Option(name: .customLong("average-from"),
            help: ArgumentHelp("Average the weights at the end of every epoch from this one on; when training ends, keep the average (its batch-norm statistics recomputed with --recompute-batch-norm) instead of the best epoch if the validation --selection prefers it.", valueName: "epoch"))
    var averageFrom: Int?

    @Option(help: "What convolutions compute in: fp32, or bf16 (mixed precision: bf16 inputs, FP32 accumulation, weights, optimizer and every other operation; needs a CPU with native bf16, never emulated).")
    var precision: ComputePrecision = .fp32

    @Option(help: "Most epochs (early stopping usually ends sooner).")
    var epochs: Int = 50

    @Option(name: .customLong("batch-size"), help: "Images per batch.")
    var batchSize: Int = 32

    @Option(name: .customLong("learning-rate"), help: "Adam's learning rate.")
    var learningRate: Float = 1e-4

    @Option(name: .customLong("input-size"), help: "Images are resized to this square size.")
    var inputSize: Int = NetworkDescription.standardInputSize

    @Option(help: "How images become --input-size squares: squash (both sides scaled, the study's) or center-crop (shorter side scaled, centre cut out).")
    var resize: ResizePolicy = .squash

    @Option(help: "Input normalization (default: what the backbone expects): imagenet, symmetric, unit.")
    var normalization: InputNormalization?

    @Option(help: "How the learning rate falls: plateau (reduce-on-plateau, the study's: times --plateau-factor after --plateau-patience epochs without a better --selection value) or cosine (PyTorch's CosineAnnealingLR over --epochs, down to 0 whatever the validation scores).")
    var schedule: LearningRateDecay = .plateau

    @Option(name: .customLong("early-stopping-patience"), help: "Epochs without a lower validation loss before stopping.")
    var earlyStoppingPatience: Int = 5

    @Option(name: .customLong("plateau-factor"), help: "Learning-rate factor on a validation-loss plateau.")
    var plateauFactor: Float = 0.1

    @Option(name: .customLong("plateau-patience"), help: "Epochs without improvement before the rate is lowered.")
    var plateauPatience: Int = 3

    @Flag(name: .customLong("no-class-weights"), help: "Do not weight the loss by n / (k · n_c).")
    var noClassWeights = false

    @Flag(name: .customLong("no-augmentation"), help: "Train on the images as they are.")
    var noAugmentation = false

    @Option(name: .customLong("rotation"), help: "Augmentation: rotation range in degrees (±).")
    var rotation: Double = AugmentationPolicy.study.rotationDegrees

    @Option(name: .customLong("shift"), help: "Augmentation: width and height shift range, fraction of the size (±).")
    var shift: Double = AugmentationPolicy.study.widthShift

    @Option(name: .customLong("shear"), help: "Augmentation: shear range in degrees (±).")
    var shear: Double = AugmentationPolicy.study.shearDegrees

    @Option(name: .customLong("zoom"), help: "Augmentation: zoom range (1 ± zoom).")
    var zoom: Double = AugmentationPolicy.study.zoom

    @Flag(name: .customLong("no-flip"), help: "Augmentation: no horizontal flips.")
    var noFlip = false

    @Option(name: .customLong("fill"),
            help: "Augmentation: what a moved image shows outside the original: nearest (the edge pixel repeated, Keras' default, the study's) or reflect (mirrored at the edges).")
    var fill: AugmentationPolicy.Fill = .nearest

    /// nil when neither `--orientations` nor `--no-orientations` is given: on, with augmentation.
    @Flag(name: .customLong("orientations"), inversion: .prefixedNo,
          help: "Augmentation: each training image first turned by a random multiple of 90° and mirrored at random (one of the square's 8 orientations, moved exactly); the default, measured best on ALL's folds; --no-orientations keeps the study's augmentation exactly.")
    var orientations: Bool?

    @Option(name: .customLong("cached-copies"),
            help: "With --policy frozen: augmented copies of each training image whose features are cached besides the original.")
    var cachedCopies: Int = 0

    @Option(help: "Batches prepared ahead of the network.")
    var prefetch: Int = 2

    @Option(name: .customLong("network-config"),
            help: "JSON network blueprint replacing the architecture's standard sizes (e.g. a reduced network).")
    var networkConfig: String?

    @Flag(help: "Continue the interrupted training in --out from its last checkpoint (its saved options are used).")
    var resume = false

    @Option(name: .customLong("stop-after"), help: "End this session after epoch N (continue later with --resume).")
    var stopAfter: Int?

    @Flag(help: "After each CNN epoch, print where its time went: kernels by kind and pass, optimizer, data, the rest, idle cores.")
    var profile = false

    /// The options for `architecture`, from the study's defaults and the given overrides.
    func options(for architecture: Architecture, classCount: Int, seed: UInt64) throws -> CNNTrainingOptions {
        if architecture != .hybrid, let backbone {
            throw ValidationError("--backbone \(backbone.rawValue) applies only to --model hybrid")
        }
        if architecture == .hybrid, backbone == nil || backbone == .hybrid {
            throw CNNTrainingError.invalidOption(name: "backbone", value: backbone?.rawValue ?? "(none)",
                                                 expected: "the hybrid's backbone, one of "
                                                    + Architecture.backbones.map(\.rawValue).joined(separator: ", "))
        }
        if noAugmentation, orientations == true || fill != .nearest {
            throw ValidationError("--no-augmentation trains on the images as they are: it cannot take "
                                  + (orientations == true ? "--orientations" : "--fill \(fill.rawValue)"))
        }
        guard inputSize >= 16 else {
            throw CNNTrainingError.invalidOption(name: "input-size", value: "\(inputSize)", expected: "at least 16")
        }
        let network = NetworkDescription(architecture, backbone: backbone, hybridVariant: hybridVariant,
                                         classCount: classCount, inputSize: inputSize,
                                         normalization: normalization)
        var options = try CNNTrainingOptions.study(network, seed: seed)
        if let networkConfig {
            let url = URL(fileURLWithPath: networkConfig)
            do {
                options.blueprint = try JSONDecoder().decode(NetworkBlueprint.self, from: Data(contentsOf: url))
            } catch {
                throw CNNTrainingError.invalidOption(name: "network-config", value: networkConfig,
                                                     expected: "a readable JSON network blueprint (\(error.localizedDescription))")
            }
        }
        options.weights = WeightsSource(argument: weights)
        options.policy = policy ?? .full
        options.resize = resize
        options.augmentation = noAugmentation ? nil : AugmentationPolicy(
            rotationDegrees: rotation, widthShift: shift, heightShift: shift, shearDegrees: shear, zoom: zoom,
            horizontalFlip: !noFlip, fill: fill, randomOrientation: orientations ?? true)
        options.maximumEpochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.backboneLearningRate = backboneLearningRate
        options.selection = selection
        options.schedule = schedule
        options.precision = precision
        options.batchNormRecomputationImages = batchNormRecomputationImages
        options.weightAveragingStart = averageFrom
        options.earlyStoppingPatience = earlyStoppingPatience
        options.plateauFactor = plateauFactor
        options.plateauPatience = plateauPatience
        options.balancedClassWeights = !noClassWeights
        options.cachedAugmentedCopies = cachedCopies
        options.prefetchCount = prefetch
        try options.validate()
        return options
    }

    var weightsCacheURL: URL { weightsCache.map { URL(fileURLWithPath: $0) } ?? WeightStore.defaultFolder() }
    var featureCacheURL: URL { featureCache.map { URL(fileURLWithPath: $0) } ?? FeatureCache.defaultDirectory }

    /// Log lines to standard output, and a progress bar on standard error when it is a terminal;
    /// both start with `prefix` (a study's "[2/3 xgboost] ").
    func control(prefix: String = "") -> CNNTrainingControl {
        let display = ProgressDisplay(prefix: prefix)
        return CNNTrainingControl(log: { line in
            display.clear()
            print(prefix + line)
            fflush(stdout)
        }, progress: display.isEnabled ? { display.show($0) } : nil, stopAfterEpoch: stopAfter, profile: profile)
    }
}

/// Redraws one progress line on standard error, at most five times a second.
final class ProgressDisplay {
    let isEnabled = isatty(STDERR_FILENO) != 0
    /// Text before the bar.
    let prefix: String
    private var lastDraw = Date.distantPast
    private var isShown = false
    private let bar = ProgressBar()

    init(prefix: String = "") { self.prefix = prefix }

    func show(_ progress: EpochProgress) {
        let now = Date()
        guard progress.imagesDone == progress.imageCount || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        isShown = true
        let line = bar.line(epoch: progress.epoch, epochs: progress.epochCount, done: progress.imagesDone, total: progress.imageCount,
                            elapsed: progress.elapsed, loss: progress.meanLoss)
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + prefix + line).utf8))
    }

    func clear() {
        guard isShown else { return }
        isShown = false
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

extension ResizePolicy: ExpressibleByArgument {}
extension ModelSelection: ExpressibleByArgument {}
extension LearningRateDecay: ExpressibleByArgument {}
extension ComputePrecision: ExpressibleByArgument {}
extension AugmentationPolicy.Fill: ExpressibleByArgument {}
