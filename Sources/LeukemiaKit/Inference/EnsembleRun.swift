import Foundation
import Evaluation
import Imaging
import Tensors
import ToolkitSupport

/// An ensemble run (`leukemia ensemble`), opened for evaluation and prediction like any run: the
/// weighted average of its members' (calibrated) probabilities, `Σ_m w_m p_m`, see
/// `EnsembleSpecification`.
///
/// Members may take images of different sizes and resize policies (a 224-pixel CNN, a 32-pixel
/// one, a classical model's features at its own size), so the ensemble answers at the level of
/// encoded images: `outputs(ofEncoded:)` hands the images to each member, which decodes and
/// resizes them as in its own `evaluate` and `predict` (an image is decoded once per member).
/// An image any member cannot read is a failure of the ensemble too.
///
/// Features and quality facts, what the out-of-distribution check compares, are the first
/// member's: the ensemble's `ood.safetensors` is a copy of the first member's check (or, after
/// `leukemia ood fit ENSEMBLE`, one fitted on the ensemble's split with the same features).
public struct EnsembleRun: TrainedImageClassifier {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let specification: EnsembleSpecification
    /// The opened members, in the specification's order.
    public let members: [any TrainedImageClassifier]

    public var weights: [Double] { specification.weights }

    /// Opens the ensemble in `directory` whose `config.json` was read as `configuration`: opens
    /// each member (which checks its own files' SHA-256) after checking that its `config.json` is
    /// the one the ensemble recorded. `testTimeAugmentation` views are averaged by the CNN members,
    /// which compute in `precision` (nil: each member's own).
    /// - Throws: `EnsembleError.memberUnavailable` or `.memberChanged` naming the member;
    ///   `CNNTrainingError.testTimeAugmentationUnsupported` for TTA without a CNN member.
    static func open(_ directory: RunDirectory, configuration: RunConfiguration, testTimeAugmentation: Int,
                     views: TestTimeViews, precision: ComputePrecision? = nil) throws -> EnsembleRun {
        let path = directory.url.path
        guard let specification = configuration.ensemble else {
            throw EnsembleError.invalidSpecification(directory.configuration.path, reason: "no \"ensemble\" record")
        }
        guard specification.members.count >= 2,
              specification.members.allSatisfy({ $0.weight >= 0 && $0.weight.isFinite }),
              abs(specification.weights.reduce(0, +) - 1) < 1e-6 else {
            throw EnsembleError.invalidSpecification(directory.configuration.path,
                                                     reason: "it needs at least 2 members with weights >= 0 that sum to 1")
        }
        var members: [any TrainedImageClassifier] = [], anyCNN = false
        for member in specification.members {
            let url = URL(fileURLWithPath: member.run), memberDirectory = RunDirectory(url)
            let found: String
            let memberConfiguration: RunConfiguration
            do {
                memberConfiguration = try memberDirectory.loadConfiguration()
                found = try SHA256.hash(fileAt: memberDirectory.configuration).hexString
            } catch {
                throw EnsembleError.memberUnavailable(ensemble: path, member: member.run, reason: "\(error)")
            }
            guard found == member.configurationSHA256 else {
                throw EnsembleError.memberChanged(ensemble: path, member: member.run, recorded: member.configurationSHA256, found: found)
            }
            let isCNN = memberConfiguration.cnn != nil
            anyCNN = anyCNN || isCNN
            do {
                members.append(try TrainedRuns.open(url, testTimeAugmentation: isCNN ? testTimeAugmentation : 0, views: views,
                                                    precision: isCNN ? precision : nil))
            } catch {
                throw EnsembleError.memberUnavailable(ensemble: path, member: member.run, reason: "\(error)")
            }
        }
        if testTimeAugmentation != 0, !anyCNN { throw CNNTrainingError.testTimeAugmentationUnsupported(path) }
        return EnsembleRun(directory: directory, configuration: configuration, specification: specification, members: members)
    }

    /// The first member's input size: what `outputs(of:firstPosition:)` takes.
    public var inputSize: Int { members[0].inputSize }
    public var resizePolicy: ResizePolicy { members[0].resizePolicy }

    /// Outputs of images already `inputSize` square. A member of another size gets each square
    /// resized again to its own (a second resampling, not exactly what it sees from a file);
    /// `outputs(ofEncoded:)`, which `evaluate`, `predict` and a server use, has no such step.
    public func outputs(of images: [RGBImage], firstPosition: Int) throws -> (probabilities: [[Double]], features: [[Float]]) {
        var memberProbabilities: [[[Double]]] = [], features: [[Float]] = []
        for (index, member) in members.enumerated() {
            let input = member.inputSize == inputSize ? images : images.map { $0.resized(toSquare: member.inputSize, policy: member.resizePolicy) }
            let outputs = try member.outputs(of: input, firstPosition: firstPosition)
            memberProbabilities.append(calibrated(outputs.probabilities, member: index))
            if index == 0 { features = outputs.features }
        }
        return (EnsembleWeights.combine(memberProbabilities, weights: weights), features)
    }

    /// Each member decodes the images at its own size and policy; the weighted average of their
    /// calibrated probabilities, with the first member's features and quality facts.
    public func outputs(ofEncoded images: [EncodedImage]) throws -> [Result<ImageOutputs, Error>] {
        let perMember = try memberOutputs(ofEncoded: images)
        return images.indices.map { image in
            Result {
                let outputs = try perMember.map { try $0[image].get() }
                var combined = outputs[0]
                combined.probabilities = EnsembleWeights.combine(outputs.map(\.probabilities), weights: weights)
                return combined
            }
        }
    }

    /// Each member's outputs `[member][image]`, its probabilities scaled by the member's recorded
    /// temperature (raw when it had no calibration).
    func memberOutputs(ofEncoded images: [EncodedImage]) throws -> [[Result<ImageOutputs, Error>]] {
        try Self.memberOutputs(members, temperatures: specification.members.map(\.temperature), ofEncoded: images)
    }

    /// The outputs `[member][image]` of `members`, the probabilities of member m scaled by
    /// `temperatures[m]` (nil: raw).
    static func memberOutputs(_ members: [any TrainedImageClassifier], temperatures: [Double?],
                              ofEncoded images: [EncodedImage]) throws -> [[Result<ImageOutputs, Error>]] {
        try zip(members, temperatures).map { member, temperature in
            try member.outputs(ofEncoded: images).map { result in
                result.map { outputs in
                    guard let temperature else { return outputs }
                    var outputs = outputs
                    outputs.probabilities = TemperatureScaling.apply(temperature, toProbabilities: [outputs.probabilities])[0]
                    return outputs
                }
            }
        }
    }

    /// Member `index`'s `probabilities` after its recorded temperature.
    private func calibrated(_ probabilities: [[Double]], member index: Int) -> [[Double]] {
        guard let temperature = specification.members[index].temperature else { return probabilities }
        return TemperatureScaling.apply(temperature, toProbabilities: probabilities)
    }
}
