import CLibSVM
import Foundation
import ToolkitSupport

/// An RBF-kernel C-SVC from libsvm with Platt-scaled class probabilities.
///
/// Class weights scale the C of each class during training, and the pairwise probability
/// calibration is shifted to the weighted class priors (see `shiftPairwiseCalibration`), so
/// weighting moves both libsvm's vote and the probabilities toward the weighted classes.
///
/// Training is seeded but not thread-safe in libsvm itself (see `train`); prediction is
/// read-only and runs on both cores. The in-memory model is always the one a saved file
/// reloads to: after `svm_train` the model is saved and reloaded once, which also frees it
/// from the training nodes that a freshly trained libsvm model points into.
public final class SVMClassifier: ProbabilisticClassifier, @unchecked Sendable {
    public let classCount: Int
    public let featureCount: Int
    /// The RBF kernel's gamma (libsvm model files do not record C).
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
            shiftPairwiseCalibration(of: trained, toPriorsWeightedBy: problem.classWeights)
            let directory = FileManager.default.temporaryDirectory
            let file = directory.appendingPathComponent("svm-\(UUID().uuidString).model")
            defer { try? FileManager.default.removeItem(at: file) }
            guard LibSVMRuntime.modelFileLock.withLock({ svm_save_model(file.path, trained) }) == 0 else {
                throw ClassicMLError.unwritableModelFile(path: file.path, reason: "svm_save_model failed")
            }
            return try load(from: file)
        }
    }

    /// Moves libsvm's pairwise Platt sigmoids from the training class frequencies to the
    /// class-weighted ones, so the probabilities respect the class weights as XGBoost's do.
    ///
    /// libsvm fits the sigmoid `P(i | f, pair i,j) = 1 / (1 + exp(A·f + B))` of each class pair to
    /// the training labels, whose frequencies undo most of the weighting in the probabilities.
    /// Weighting class `i` by `w_i` multiplies the pair odds by `w_i / w_j`, i.e. `B -= log(w_i / w_j)`.
    /// Equal weights leave the model unchanged.
    private static func shiftPairwiseCalibration(of model: UnsafeMutablePointer<svm_model>,
                                                 toPriorsWeightedBy classWeights: [Double]) {
        guard let probB = model.pointee.probB, let labels = model.pointee.label else { return }
        let classCount = Int(model.pointee.nr_class)
        var pair = 0
        for first in 0..<classCount {
            for second in first + 1 ..< classCount {
                probB[pair] -= log(classWeights[Int(labels[first])] / classWeights[Int(labels[second])])
                pair += 1
            }
        }
    }

    /// Loads a model written by `save(to:)`; a missing file, a file libsvm cannot parse, or a model
    /// that is not a probability RBF C-SVC over classes `0..<k` is an error naming the file.
    public static func load(from url: URL) throws -> SVMClassifier {
        try requireModelFile(at: url)
        let featureCount = try checkLibSVMModelFile(at: url)
        guard let loaded = LibSVMRuntime.modelFileLock.withLock({ svm_load_model(url.path) }) else {
            throw ClassicMLError.unreadableModelFile(path: url.path, reason: "not a libsvm model")
        }
        return try SVMClassifier(loaded: loaded, featureCount: featureCount, path: url.path)
    }

    /// Takes ownership of `loaded` (freeing it if it is rejected).
    private init(loaded: UnsafeMutablePointer<svm_model>, featureCount: Int, path: String) throws {
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
        self.classCount = classCount
        self.featureCount = featureCount
        self.gamma = parameter.gamma
        self.classOfPosition = labels.map(Int.init)
        self.model = loaded
    }

    public func save(to url: URL) throws {
        try AtomicFile.write(to: url) { temporaryPath in
            guard LibSVMRuntime.modelFileLock.withLock({ svm_save_model(temporaryPath, model) }) == 0 else {
                throw ClassicMLError.unwritableModelFile(path: url.path, reason: "svm_save_model failed")
            }
        }
    }

    public func probabilities(for features: FeatureMatrix) throws -> ProbabilityMatrix {
        try checkColumns(of: features, context: "the SVM model")
        let rows = LibSVMDenseRows(features)
        let classCount = classCount
        var result = [Double](repeating: 0, count: features.rowCount * classCount)
        result.withUnsafeMutableBufferPointer { output in
            forEachRowInParallel(count: features.rowCount) { row in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: classCount) { positional in
                    svm_predict_probability(model, rows.row(row), positional.baseAddress)
                    for position in 0..<classCount {
                        output[row * classCount + classOfPosition[position]] = positional[position]
                    }
                }
            }
        }
        return ProbabilityMatrix(rowCount: features.rowCount, classCount: classCount, values: result)
    }

    /// Runs `body` for every row index, spread over the cores in interleaved chunks.
    private func forEachRowInParallel(count: Int, _ body: (Int) -> Void) {
        let chunkCount = min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            for row in stride(from: chunk, to: count, by: chunkCount) { body(row) }
        }
    }

    deinit { svm_free_and_destroy_model(&model) }
}
