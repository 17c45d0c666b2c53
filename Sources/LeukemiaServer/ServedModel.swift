import Evaluation
import Foundation
import Imaging
import LeukemiaKit
import ToolkitSupport

/// A run opened for serving: its model, its explainer (CNN runs), its cost matrix and what
/// `GET /v1/models` says about it.
///
/// The model and the explainer hold networks that are not safe to use from two threads at once:
/// only the inference queue's thread calls `predict` and `explain` (hence `@unchecked Sendable`).
final class ServedModel: @unchecked Sendable {
    let description: ModelDescription
    var name: String { description.name }
    private let model: any TrainedImageClassifier
    private let explainer: GradCAMRun?
    private let cost: CostMatrix
    private let settings: PredictionSettings
    /// The run's out-of-distribution check and calibration, read once.
    private let judges: RunJudges

    /// Opens the run at `url` (any run directory the toolkit writes).
    /// - Throws: `RunDirectoryError` for a missing, incomplete or incompatible run.
    init(run url: URL, configuration server: ServerConfiguration) throws {
        let directory = RunDirectory(url)
        model = try TrainedRuns.open(url, precision: server.precision)
        let configuration = model.configuration
        explainer = configuration.cnn == nil ? nil : try GradCAMRun.open(url)
        cost = configuration.costMatrix
        judges = try RunJudges.load(from: directory)
        let calibrated = judges.calibration != nil
        settings = PredictionSettings(calibrated: true, coverage: calibrated ? server.coverage : nil, referBelow: server.referBelow)
        let weights = configuration.cnn != nil ? directory.weights
            : directory.model(kind: try ClassicalModelKind(rawValue: configuration.model).unwrap(url))
        description = ModelDescription(
            name: url.standardizedFileURL.lastPathComponent, architecture: configuration.model,
            classes: configuration.classes.names, costMatrix: cost.values, inputSize: model.inputSize,
            testMetrics: try? JSONDecoder().decode(ClassificationMetrics.self, from: Data(contentsOf: directory.metrics)),
            calibrated: calibrated, predictionSets: calibrated,
            outOfDistributionCheck: judges.check != nil,
            explainable: explainer != nil, purpleMask: explainer?.hasPurpleMask ?? false, weightsSHA256: try SHA256.hash(fileAt: weights).hexString)
    }

    /// One prediction per image, in order, or the first image that cannot be decoded.
    /// - Throws: `APIError` 400 naming an undecodable image; what the model throws.
    func predict(_ images: [UploadedImage]) throws -> [Result<ImageResult, APIError>] {
        // Unique names tie the predictor's answers back to the images, whatever the clients named them.
        let keys = images.indices.map { "#\($0)" }
        let outcome = try Predictor.predict(model, images: zip(images, keys).map { .bytes($0.bytes, name: $1) },
                                            cost: cost, settings: settings, judges: judges)
        let predictions = Dictionary(outcome.predictions.map { ($0.file, $0) }, uniquingKeysWith: { first, _ in first })
        let failures = Dictionary(outcome.failures.map { ($0.file, $0.reason) }, uniquingKeysWith: { first, _ in first })
        return try zip(images, keys).map { image, key in
            guard let prediction = predictions[key] else {
                let reason = (failures[key] ?? "no prediction").replacingOccurrences(of: key, with: image.name)
                return .failure(APIError(.badRequest, "undecodable_image", "cannot decode \(reason)"))
            }
            let probabilities = description.classes.map { prediction.probabilities[$0] ?? 0 }
            return .success(ImageResult(
                file: image.name, sha256: image.sha256, probabilities: prediction.probabilities,
                predictedClass: prediction.predictedClass, costOptimalClass: prediction.costOptimalClass,
                expectedCost: try cost.expectedCosts(probabilities: probabilities).min() ?? 0,
                predictionSet: prediction.predictionSet, referToPerson: prediction.referToPerson,
                outOfDistribution: prediction.outOfDistribution, latencyMilliseconds: 0))
        }
    }

    /// Checks that the model can be explained.
    /// - Throws: `APIError` 422 for a classical run.
    func checkExplainable() throws {
        if explainer == nil { throw notExplainable }
    }

    private var notExplainable: APIError {
        APIError(.unprocessableContent, "not_explainable",
                 "\(name) is a classical model (\(description.architecture)) on hand-crafted features; "
                 + "Grad-CAM explains CNN runs only")
    }

    /// The hybrid's purple mask of `image` (PNG): the image as the network saw it, black outside the mask.
    /// - Throws: `APIError` 422 for a network without a mask, 400 for an undecodable image.
    func purpleMask(_ image: UploadedImage) throws -> Data {
        guard let explainer, explainer.hasPurpleMask else {
            throw APIError(.unprocessableContent, "no_purple_mask",
                           "\(name) (\(description.architecture)) has no purple mask; only the hybrid network has one")
        }
        do {
            guard let view = try explainer.purpleMaskView(of: .bytes(image.bytes, name: image.name)) else { return Data() }
            return try ImageEncoder.png(view)
        } catch let error as ImageError {
            throw APIError(.badRequest, "undecodable_image", "cannot decode \(error)")
        }
    }

    /// The Grad-CAM overlay (PNG) of `image` for the class `className` (nil: the predicted one) at
    /// the network's default layer (for the hybrid, its first: the backbone's).
    /// - Throws: `APIError` 422 for a classical run, 400 for an unknown class or an undecodable image.
    func explain(_ image: UploadedImage, className: String?) throws -> (png: Data, className: String, probability: Double) {
        guard let explainer else { throw notExplainable }
        let classIndex: Int?
        do {
            classIndex = try className.map { try explainer.classIndex(named: $0) }
        } catch {
            throw APIError(.badRequest, "unknown_class", "\(error)")
        }
        let layer = explainer.gradCAM.defaultLayers.first.map { [$0] }
        let (resized, explanation): (RGBImage, GradCAMExplanation)
        do {
            (resized, explanation) = try explainer.explain(.bytes(image.bytes, name: image.name), classIndex: classIndex, layers: layer)
        } catch let error as ImageError {
            throw APIError(.badRequest, "undecodable_image", "cannot decode \(error)")
        }
        let overlay = try explanation.maps[0].overlay(on: resized, opacity: GradCAMRun.overlayOpacity)
        return (try ImageEncoder.png(overlay), explainer.classNames[explanation.classIndex], explanation.probability)
    }
}

extension Optional {
    /// The value, or a corrupt-run error naming `url`.
    fileprivate func unwrap(_ url: URL) throws -> Wrapped {
        guard let self else { throw RunDirectoryError.corrupt(url.path, reason: "unknown model family") }
        return self
    }
}
