import CXGBoost
import Foundation
import ToolkitSupport
import Randomness

/// A gradient-boosted tree classifier (XGBoost `multi:softprob`) trained with early stopping
/// on a validation set and cut back to its best round.
///
/// Saved models are XGBoost JSON files; the best round, the validation-loss history and the
/// parameters travel with them as booster attributes.
public final class XGBoostClassifier: ProbabilisticClassifier, @unchecked Sendable {
    public let classCount: Int
    public let featureCount: Int
    public let parameters: XGBoostParameters
    /// The 0-based round with the lowest validation loss; the model keeps rounds `0...bestIteration`.
    public let bestIteration: Int
    /// The class-weighted validation `mlogloss` after each round that was run (as XGBoost reports
    /// it); empty for a model trained for a fixed round count (a refit).
    public let validationLossHistory: [Double]
    private let booster: BoosterHandle
    /// XGBoost's prediction reuses buffers inside the booster, so predictions are serialized.
    private let predictionLock = NSLock()

    private static let bestIterationKey = "leukemia_best_iteration"
    private static let historyKey = "leukemia_validation_loss_history"
    private static let parametersKey = "leukemia_parameters"

    /// Trains on `train` with per-row weights `classWeights[label]` (on both sets), evaluating the weighted
    /// `validation` loss after every round, and stops once it has not improved for
    /// `parameters.earlyStoppingRounds` rounds (or after `parameters.maxRounds`). Seeded by `seed`.
    public static func train(train: (features: FeatureMatrix, labels: [Int]),
                             validation: (features: FeatureMatrix, labels: [Int]),
                             classCount: Int, classWeights: [Double], parameters: XGBoostParameters,
                             seed: UInt64) throws -> XGBoostClassifier {
        try validateEvaluationInput(features: validation.features, labels: validation.labels,
                                    classCount: classCount, columnCount: train.features.columnCount)
        return try boost(train: train, validation: validation, rounds: parameters.maxRounds, classCount: classCount,
                         classWeights: classWeights, parameters: parameters, seed: seed)
    }

    /// Trains exactly `rounds` rounds on `train`, without a validation set: the refit of a round
    /// count chosen by early stopping on a validation part (`bestIteration` is `rounds - 1` and the
    /// validation history is empty). Seeded by `seed`; equal inputs give the same trees as `train`
    /// with validation for those rounds.
    public static func train(train: (features: FeatureMatrix, labels: [Int]), rounds: Int,
                             classCount: Int, classWeights: [Double], parameters: XGBoostParameters,
                             seed: UInt64) throws -> XGBoostClassifier {
        guard rounds >= 1 else { throw ClassicMLError.invalidHyperparameter(name: "rounds", value: "\(rounds)") }
        return try boost(train: train, validation: nil, rounds: rounds, classCount: classCount,
                         classWeights: classWeights, parameters: parameters, seed: seed)
    }

    /// Boosts up to `rounds` rounds; with a validation set, stops early and keeps the best round.
    private static func boost(train: (features: FeatureMatrix, labels: [Int]),
                              validation: (features: FeatureMatrix, labels: [Int])?, rounds: Int,
                              classCount: Int, classWeights: [Double], parameters: XGBoostParameters,
                              seed: UInt64) throws -> XGBoostClassifier {
        try parameters.validate()
        try validateTrainingInput(features: train.features, labels: train.labels, classCount: classCount,
                                  classWeights: classWeights)
        silenceXGBoostOutput
        func rowWeights(_ labels: [Int]) -> [Float] { labels.map { Float(classWeights[$0]) } }
        let trainMatrix = try XGBoostDMatrix(features: train.features, labels: train.labels,
                                             weights: rowWeights(train.labels), threads: parameters.nthread)
        let validationMatrix = try validation.map {
            try XGBoostDMatrix(features: $0.features, labels: $0.labels, weights: rowWeights($0.labels), threads: parameters.nthread)
        }

        var cachedMatrices: [DMatrixHandle?] = [trainMatrix.handle] + (validationMatrix.map { [$0.handle] } ?? [])
        var created: BoosterHandle?
        try checkXGBoost(XGBoosterCreate(&cachedMatrices, bst_ulong(cachedMatrices.count), &created), "XGBoosterCreate")
        guard let full = created else {
            throw ClassicMLError.xgboostFailed(function: "XGBoosterCreate", message: "no booster returned")
        }
        defer { XGBoosterFree(full) }
        // A 31-bit seed mixed from all 64 bits of `seed` (XGBoost's seed is a signed integer).
        var seedMixer = SeededGenerator(seed: seed)
        let boosterSeed = Int64(seedMixer.next() >> 33)
        for (name, value) in parameters.boosterSettings(classCount: classCount, seed: boosterSeed) {
            try checkXGBoost(XGBoosterSetParam(full, name, value), "XGBoosterSetParam(\(name)=\(value))")
        }

        var history: [Double] = []
        var bestIteration = 0
        for iteration in 0..<rounds {
            try checkXGBoost(XGBoosterUpdateOneIter(full, Int32(iteration), trainMatrix.handle), "XGBoosterUpdateOneIter")
            guard let validationMatrix else {
                bestIteration = iteration
                continue
            }
            let loss = try validationLoss(of: full, iteration: iteration, on: validationMatrix)
            history.append(loss)
            if loss < history[bestIteration] { bestIteration = iteration }
            if iteration - bestIteration >= parameters.earlyStoppingRounds { break }
        }

        var sliced: BoosterHandle?
        try checkXGBoost(XGBoosterSlice(full, 0, Int32(bestIteration + 1), 1, &sliced), "XGBoosterSlice")
        guard let best = sliced else {
            throw ClassicMLError.xgboostFailed(function: "XGBoosterSlice", message: "no booster returned")
        }
        do {
            try setAttribute(best, bestIterationKey, "\(bestIteration)")
            try setAttribute(best, historyKey, history.map { "\($0)" }.joined(separator: ","))
            try setAttribute(best, parametersKey, String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self))
            return try XGBoostClassifier(owning: best, origin: "the trained booster")
        } catch {
            XGBoosterFree(best)
            throw error
        }
    }

    /// The validation `mlogloss` after `iteration`, parsed from XGBoost's report `[i]\tvalidation-mlogloss:x`.
    private static func validationLoss(of booster: BoosterHandle, iteration: Int, on validation: XGBoostDMatrix) throws -> Double {
        var matrices: [DMatrixHandle?] = [validation.handle]
        var report: UnsafePointer<CChar>?
        let status = "validation".withCString { name -> Int32 in
            var names: [UnsafePointer<CChar>?] = [name]
            return XGBoosterEvalOneIter(booster, Int32(iteration), &matrices, &names, 1, &report)
        }
        try checkXGBoost(status, "XGBoosterEvalOneIter")
        let text = report.map { String(cString: $0) } ?? ""
        let marker = "validation-mlogloss:"
        guard let range = text.range(of: marker),
              let loss = Double(text[range.upperBound...].prefix { !$0.isWhitespace }), loss.isFinite else {
            throw ClassicMLError.xgboostFailed(function: "XGBoosterEvalOneIter", message: "unexpected report \"\(text)\"")
        }
        return loss
    }

    /// Loads a model written by `save(to:)`; a missing, corrupt or foreign file is an error naming it.
    public static func load(from url: URL) throws -> XGBoostClassifier {
        try requireModelFile(at: url)
        silenceXGBoostOutput
        var created: BoosterHandle?
        try checkXGBoost(XGBoosterCreate(nil, 0, &created), "XGBoosterCreate")
        guard let booster = created else {
            throw ClassicMLError.xgboostFailed(function: "XGBoosterCreate", message: "no booster returned")
        }
        do {
            guard XGBoosterLoadModel(booster, url.path) == 0 else {
                throw ClassicMLError.unreadableModelFile(path: url.path, reason: nativeLibraryMessage(String(cString: XGBGetLastError())))
            }
            return try XGBoostClassifier(owning: booster, origin: url.path)
        } catch {
            XGBoosterFree(booster)
            if let error = error as? ClassicMLError, case .unreadableModelFile = error { throw error }
            throw ClassicMLError.unreadableModelFile(path: url.path, reason: "\(error)")
        }
    }

    /// Takes ownership of `booster` after reading its class and feature counts and our attributes;
    /// `origin` names the booster in errors. The caller frees the booster if this throws.
    private init(owning booster: BoosterHandle, origin: String) throws {
        func invalid(_ reason: String) -> ClassicMLError { .unreadableModelFile(path: origin, reason: reason) }
        var configLength: bst_ulong = 0
        var configText: UnsafePointer<CChar>?
        try checkXGBoost(XGBoosterSaveJsonConfig(booster, &configLength, &configText), "XGBoosterSaveJsonConfig")
        let config = configText.map { Data(bytes: $0, count: Int(configLength)) } ?? Data()
        guard let learner = (try? JSONSerialization.jsonObject(with: config) as? [String: Any])?["learner"] as? [String: Any],
              let objective = (learner["objective"] as? [String: Any])?["name"] as? String,
              let classText = (learner["learner_model_param"] as? [String: Any])?["num_class"] as? String,
              let classCount = Int(classText) else {
            throw invalid("the booster configuration has no objective or class count")
        }
        guard objective == "multi:softprob", classCount >= 2 else {
            throw invalid("objective \(objective) with \(classCount) classes is not a multi:softprob classifier")
        }
        var features: bst_ulong = 0
        try checkXGBoost(XGBoosterGetNumFeature(booster, &features), "XGBoosterGetNumFeature")
        guard let bestText = try Self.attribute(booster, Self.bestIterationKey), let bestIteration = Int(bestText),
              let historyText = try Self.attribute(booster, Self.historyKey),
              let parametersText = try Self.attribute(booster, Self.parametersKey),
              let parameters = try? JSONDecoder().decode(XGBoostParameters.self, from: Data(parametersText.utf8)) else {
            throw invalid("the booster lacks this toolkit's training attributes")
        }
        let history = historyText.split(separator: ",").compactMap { Double($0) }
        // A refit (trained for a fixed round count) records no validation history.
        guard bestIteration >= 0, history.isEmpty || history.count > bestIteration else {
            throw invalid("best iteration \(bestIteration) is outside the \(history.count) recorded rounds")
        }
        try checkXGBoost(XGBoosterSetParam(booster, "nthread", "\(parameters.nthread)"), "XGBoosterSetParam(nthread)")
        self.booster = booster
        self.classCount = classCount
        self.featureCount = Int(features)
        self.parameters = parameters
        self.bestIteration = bestIteration
        self.validationLossHistory = history
    }

    private static func setAttribute(_ booster: BoosterHandle, _ key: String, _ value: String) throws {
        try checkXGBoost(XGBoosterSetAttr(booster, key, value), "XGBoosterSetAttr(\(key))")
    }

    private static func attribute(_ booster: BoosterHandle, _ key: String) throws -> String? {
        var value: UnsafePointer<CChar>?
        var found: Int32 = 0
        try checkXGBoost(XGBoosterGetAttr(booster, key, &value, &found), "XGBoosterGetAttr(\(key))")
        return found == 1 ? value.map { String(cString: $0) } : nil
    }

    /// Saves the model as XGBoost JSON; `url` must end in `.json` (XGBoost picks the format by extension).
    public func save(to url: URL) throws {
        guard url.pathExtension == "json" else {
            throw ClassicMLError.unwritableModelFile(path: url.path, reason: "XGBoost models are saved as .json files")
        }
        try AtomicFile.write(to: url) { temporaryPath in
            try checkXGBoost(XGBoosterSaveModel(booster, temporaryPath), "XGBoosterSaveModel(\(url.path))")
        }
    }

    /// Class probabilities from all kept rounds; XGBoost's single-precision outputs are widened and
    /// renormalized so each row sums to 1 in double precision.
    public func probabilities(for features: FeatureMatrix) throws -> ProbabilityMatrix {
        try checkColumns(of: features, context: "the XGBoost model")
        let matrix = try XGBoostDMatrix(features: features, threads: parameters.nthread)
        let configuration = #"{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": true}"#
        predictionLock.lock()
        defer { predictionLock.unlock() }
        var shape: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var output: UnsafePointer<Float>?
        try checkXGBoost(XGBoosterPredictFromDMatrix(booster, matrix.handle, configuration, &shape, &dimension, &output),
                         "XGBoosterPredictFromDMatrix")
        guard dimension == 2, let shape, Int(shape[0]) == features.rowCount, Int(shape[1]) == classCount,
              let output else {
            throw ClassicMLError.xgboostFailed(function: "XGBoosterPredictFromDMatrix",
                                               message: "unexpected prediction shape for \(features.rowCount) rows x \(classCount) classes")
        }
        var values = [Double](repeating: 0, count: features.rowCount * classCount)
        for row in 0..<features.rowCount {
            let base = row * classCount
            var sum = 0.0
            for column in 0..<classCount { sum += Double(output[base + column]) }
            for column in 0..<classCount { values[base + column] = Double(output[base + column]) / sum }
        }
        return ProbabilityMatrix(rowCount: features.rowCount, classCount: classCount, values: values)
    }

    deinit { XGBoosterFree(booster) }
}
