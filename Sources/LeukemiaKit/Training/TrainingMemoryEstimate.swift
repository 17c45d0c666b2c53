import Foundation
import ModelZoo

/// A rough estimate of a CNN training's peak memory, made before anything is written, so that a
/// configuration that cannot fit is refused with a message rather than ending in an abort.
///
/// Calibration: the peak resident memory of one full fine-tuning step at batch 32 on 224 x 224
/// images, measured per model by `training-benchmark --memory` (2026-11-27, the README's table),
/// split into what the parameters hold (4 bytes each, 16 with gradients and Adam's two moments)
/// plus 300 MiB of runtime, and the activations. The activations scale with the batch and the
/// image area. With the frozen policy the parameters hold 4 bytes and a quarter of the activations
/// is counted (no backward pass through the body). Architectures without a measurement take their
/// measured sibling's activations (DenseNet-121/169: DenseNet-201's; ConvNeXt-Small: ConvNeXt-Base's;
/// VGG16-BN: VGG16's times 1.5); a hybrid adds its measured U-Net and head (on Lite0) to its backbone.
public enum TrainingMemoryEstimate {
    /// Measured peak MiB at batch 32, 224 x 224, full fine-tuning, and parameters (millions) of
    /// the 4-class network.
    private static func calibration(_ architecture: Architecture) -> (peakMiB: Double, parameters: Double) {
        switch architecture {
        case .vgg16: return (5115, 134.3)
        case .vgg16BN: return (300 + 134.3 * 16 + (5115 - 300 - 134.3 * 16) * 1.5, 134.3)
        case .densenet121: return (300 + 7.0 * 16 + activationsMiB(.densenet201), 7.0)
        case .densenet169: return (300 + 12.5 * 16 + activationsMiB(.densenet201), 12.5)
        case .densenet201: return (7700, 18.1)
        case .convnextTiny: return (4187, 27.8)
        case .convnextSmall: return (300 + 49.5 * 16 + activationsMiB(.convnextBase), 49.5)
        case .convnextBase: return (9209, 87.6)
        case .efficientnetLite0, .hybrid: return (2301, 3.4)
        }
    }

    /// The activations' share of the calibration peak, MiB at batch 32, 224 x 224.
    private static func activationsMiB(_ architecture: Architecture) -> Double {
        let (peak, parameters) = calibration(architecture)
        return peak - 300 - parameters * 16
    }

    /// What a hybrid variant adds to its backbone (measured on Lite0: 7,704 and 3,376 MiB against
    /// Lite0's 2,301): parameters (millions) and activations (MiB at batch 32, 224 x 224).
    private static func hybridExtra(_ variant: HybridNetwork.Variant) -> (parameters: Double, activationsMiB: Double) {
        switch variant {
        case .study: return (206.5, 7704 - 2301 - 206.5 * 16)
        case .light: return (2.0, 3376 - 2301 - 2.0 * 16)
        }
    }

    /// The estimated peak, in MiB.
    public static func mebibytes(for options: CNNTrainingOptions) -> Double {
        let network = options.network
        let base = network.architecture == .hybrid ? network.backbone ?? .efficientnetLite0 : network.architecture
        var parameters = calibration(base).parameters, activations = activationsMiB(base)
        if network.architecture == .hybrid {
            let extra = hybridExtra(network.hybridVariant ?? .study)
            parameters += extra.parameters
            activations += extra.activationsMiB
        }
        let scale = Double(options.batchSize) / 32 * pow(Double(options.inputSize) / 224, 2)
        let frozen = options.policy == .frozen
        return 300 + parameters * (frozen ? 4 : 16) + activations * scale * (frozen ? 0.25 : 1)
    }

    /// The estimate in MiB, after checking that it does not exceed `physicalMemory` (bytes; this
    /// machine's by default).
    /// - Throws: `CNNTrainingError.wouldNotFit` with the estimate, the memory and what to lower.
    @discardableResult
    public static func check(_ options: CNNTrainingOptions,
                             physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) throws -> Double {
        let estimate = mebibytes(for: options), available = Double(physicalMemory) / 1_048_576
        guard estimate <= available else {
            throw CNNTrainingError.wouldNotFit(estimateMiB: Int(estimate.rounded()), memoryMiB: Int(available.rounded()),
                                               batchSize: options.batchSize, inputSize: options.inputSize)
        }
        return estimate
    }
}
