import CLibSVM
import Foundation

/// A validated C-SVC training set in libsvm's format, reusable (read-only) by several trainings,
/// also concurrently when they do not estimate probabilities.
final class SVMTrainingProblem {
    let rows: LibSVMDenseRows
    let labels: [Int]
    let classCount: Int
    let classWeights: [Double]

    init(features: FeatureMatrix, labels: [Int], classCount: Int, classWeights: [Double]) throws {
        try validateTrainingInput(features: features, labels: labels, classCount: classCount, classWeights: classWeights)
        rows = LibSVMDenseRows(features)
        self.labels = labels
        self.classCount = classCount
        self.classWeights = classWeights
    }

    /// Trains an RBF C-SVC, passes the trained model to `body`, and frees it afterwards
    /// (the model points into this problem's nodes, so it must not escape `body`).
    ///
    /// With a `probabilitySeed`, libsvm also fits Platt-scaling probabilities; its internal
    /// cross-validation then draws from `rand()`, which is seeded with the seed under
    /// `LibSVMRuntime.probabilityTrainingLock`. Without one, training draws no random numbers.
    func withTrainedModel<T>(c: Double, gamma: Double, probabilitySeed: UInt64?,
                             _ body: (UnsafeMutablePointer<svm_model>) throws -> T) throws -> T {
        guard c.isFinite, c > 0 else { throw ClassicMLError.invalidHyperparameter(name: "C", value: "\(c)") }
        guard gamma.isFinite, gamma > 0 else { throw ClassicMLError.invalidHyperparameter(name: "gamma", value: "\(gamma)") }
        LibSVMRuntime.silenceOutput

        var parameter = try makeParameter(c: c, gamma: gamma, probability: probabilitySeed != nil)
        defer { svm_destroy_param(&parameter) }
        var targets = labels.map(Double.init)
        var rowPointers: [UnsafeMutablePointer<svm_node>?] = (0..<rows.rowCount).map { rows.row($0) }

        let trained: UnsafeMutablePointer<svm_model>? = try targets.withUnsafeMutableBufferPointer { targets in
            try rowPointers.withUnsafeMutableBufferPointer { rowPointers in
                var problem = svm_problem(l: Int32(rows.rowCount), y: targets.baseAddress, x: rowPointers.baseAddress)
                if let message = svm_check_parameter(&problem, &parameter) {
                    throw ClassicMLError.libsvmRejected(String(cString: message))
                }
                guard let seed = probabilitySeed else { return svm_train(&problem, &parameter) }
                LibSVMRuntime.probabilityTrainingLock.lock()
                defer { LibSVMRuntime.probabilityTrainingLock.unlock() }
                srand(UInt32(truncatingIfNeeded: seed))
                return svm_train(&problem, &parameter)
            }
        }
        guard let model = trained else { throw ClassicMLError.libsvmRejected("svm_train returned no model") }
        defer {
            var owned: UnsafeMutablePointer<svm_model>? = model
            svm_free_and_destroy_model(&owned)
        }
        return try body(model)
    }

    /// The fraction of `validation` rows whose one-vs-one vote (no probabilities needed) is the label.
    static func votedAccuracy(of model: UnsafeMutablePointer<svm_model>, on validation: LibSVMDenseRows, labels: [Int]) -> Double {
        var correct = 0
        for row in 0..<validation.rowCount where Int(svm_predict(model, validation.row(row))) == labels[row] {
            correct += 1
        }
        return Double(correct) / Double(max(validation.rowCount, 1))
    }

    /// C-SVC with an RBF kernel, per-class weights (in `malloc`ed arrays that `svm_destroy_param` frees),
    /// a 100 MB kernel cache, tolerance 1e-3 and shrinking.
    private func makeParameter(c: Double, gamma: Double, probability: Bool) throws -> svm_parameter {
        let weightLabelMemory = malloc(MemoryLayout<Int32>.stride * classCount)
        let weightMemory = malloc(MemoryLayout<Double>.stride * classCount)
        guard let weightLabels = weightLabelMemory?.assumingMemoryBound(to: Int32.self),
              let weights = weightMemory?.assumingMemoryBound(to: Double.self) else {
            free(weightLabelMemory)
            free(weightMemory)
            throw ClassicMLError.libsvmRejected("out of memory for \(classCount) class weights")
        }
        for classIndex in 0..<classCount {
            weightLabels[classIndex] = Int32(classIndex)
            weights[classIndex] = classWeights[classIndex]
        }
        var parameter = svm_parameter()
        parameter.svm_type = Int32(C_SVC)
        parameter.kernel_type = Int32(RBF)
        parameter.gamma = gamma
        parameter.cache_size = 100
        parameter.eps = 1e-3
        parameter.C = c
        parameter.nr_weight = Int32(classCount)
        parameter.weight_label = weightLabels
        parameter.weight = weights
        parameter.shrinking = 1
        parameter.probability = probability ? 1 : 0
        return parameter
    }
}
