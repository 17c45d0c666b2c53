import CLibSVM
import Foundation

/// An RBF-kernel C-SVC from libsvm with Platt-scaled class probabilities.
///
/// Training is seeded but not thread-safe in libsvm itself (see `train`); prediction is
/// read-only and runs on both cores. The in-memory model is always the one a saved file
/// reloads to: after `svm_train` the model is saved and reloaded once, which also frees it
/// from the training nodes that a freshly trained libsvm model points into.
public final class SVMClassifier: ProbabilisticClassifier, @unchecked Sendable {
    public let classCount: Int
    public let featureCount: Int
    /// The C parameter and RBF gamma the model was trained with.
    public let c: Double
    public let gamma: Double
    private var model: UnsafeMutablePointer<svm_model>?
    /// The class index of libsvm's internal class position `k` (`svm_get_labels` order).
    private let classOfPosition: [Int]

    /// Trains on `features` (rows) and `labels` (class indices in `0..<classCount`, every class
    /// present), weighting the C of class `c` by `classWeights[c]`.
    ///
    /// libsvm's probability calibration shuffles with the C library's `rand()`; this call seeds
    /// it with `srand(seed)` and holds a process-wide lock while training, so concurrent calls
    /// are serialized and equal seeds give identical models. Nothing else should call `rand()`
    /// during training.
    public static func train(features: FeatureMatrix, labels: [Int], classCount: Int, classWeights: [Double],
                             c: Double, gamma: Double, seed: UInt64) throws -> SVMClassifier {
        let problem = try SVMTrainingProblem(features: features, labels: labels, classCount: classCount,
                                             classWeights: classWeights)
        return try train(problem: problem, c: c, gamma: gamma, seed: seed)
    }

    /// Trains with probabilities on an already converted problem (shared with the hyperparameter search).
    static func train(problem: SVMTrainingProblem, c: Double, gamma: Double, seed: UInt64) throws -> SVMClassifier {
        try problem.withTrainedModel(c: c, gamma: gamma, probabilitySeed: seed) { trained in
            let directory = FileManager.default.temporaryDirectory
            let file = directory.appendingPathComponent("svm-\(UUID().uuidString).model")
            defer { try? FileManager.default.removeItem(at: file) }
            guard svm_save_model(file.path, trained) == 0 else {
                throw ClassicMLError.unwritableModelFile(path: file.path, reason: "svm_save_model failed")
            }
            return try load(from: file)
        }
    }

    /// Loads a model written by `save(to:)`; a missing file, a file libsvm cannot parse, or a model
    /// that is not a probability RBF C-SVC over classes `0..<k` is an error naming the file.
    public static func load(from url: URL) throws -> SVMClassifier {
        try requireModelFile(at: url)
        guard let loaded = svm_load_model(url.path) else {
            throw ClassicMLError.unreadableModelFile(path: url.path, reason: "not a libsvm model")
        }
        return try SVMClassifier(loaded: loaded, path: url.path)
    }

    /// Takes ownership of `loaded` (freeing it if it is rejected).
    private init(loaded: UnsafeMutablePointer<svm_model>, path: String) throws {
        var owned: UnsafeMutablePointer<svm_model>? = loaded
        func reject(_ reason: String) -> ClassicMLError {
            svm_free_and_destroy_model(&owned)
            return .unreadableModelFile(path: path, reason: reason)
        }
        let parameter = loaded.pointee.param
        guard svm_get_svm_type(loaded) == Int32(C_SVC), parameter.kernel_type == Int32(RBF) else {
            throw reject("not an RBF C-SVC model")
        }
        guard svm_check_probability_model(loaded) != 0 else { throw reject("the model has no probability information") }
        let classCount = Int(svm_get_nr_class(loaded))
        var labels = [Int32](repeating: 0, count: max(classCount, 0))
        svm_get_labels(loaded, &labels)
        guard classCount >= 2, Set(labels.map(Int.init)) == Set(0..<classCount) else {
            throw reject("class labels \(labels) are not 0..<\(classCount)")
        }
        guard let featureCount = Self.featureCount(of: loaded), featureCount > 0 else {
            throw reject("the support vectors have no features")
        }
        self.classCount = classCount
        self.featureCount = featureCount
        self.c = parameter.C
        self.gamma = parameter.gamma
        self.classOfPosition = labels.map(Int.init)
        self.model = loaded
    }

    /// The largest feature index over the support vectors (every feature is stored, see `LibSVMDenseRows`).
    private static func featureCount(of model: UnsafeMutablePointer<svm_model>) -> Int? {
        guard let supportVectors = model.pointee.SV else { return nil }
        var largest = 0
        for vector in 0..<Int(model.pointee.l) {
            guard var node = supportVectors[vector] else { return nil }
            while node.pointee.index != -1 {
                largest = max(largest, Int(node.pointee.index))
                node += 1
            }
        }
        return largest
    }

    public func save(to url: URL) throws {
        try writeModelFileAtomically(to: url) { temporaryPath in
            guard svm_save_model(temporaryPath, model) == 0 else {
                throw ClassicMLError.unwritableModelFile(path: url.path, reason: "svm_save_model failed")
            }
        }
    }

    public func probabilities(for features: FeatureMatrix) throws -> ProbabilityMatrix {
        try checkColumns(of: features, context: "the SVM model")
        let rows = LibSVMDenseRows(features)
        let classCount = classCount
        var result = [Double](repeating: 0, count: features.rowCount * classCount)
        let chunkCount = min(features.rowCount, ProcessInfo.processInfo.activeProcessorCount * 4)
        result.withUnsafeMutableBufferPointer { output in
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                var positional = [Double](repeating: 0, count: classCount)
                for row in stride(from: chunk, to: features.rowCount, by: chunkCount) {
                    svm_predict_probability(model, rows.row(row), &positional)
                    for position in 0..<classCount {
                        output[row * classCount + classOfPosition[position]] = positional[position]
                    }
                }
            }
        }
        return ProbabilityMatrix(rowCount: features.rowCount, classCount: classCount, values: result)
    }

    deinit { svm_free_and_destroy_model(&model) }
}
