// ClassicML benchmark: training times of the classical models on a synthetic problem of the real
// data set's size (about 1,700 training rows x 70 features, 4 classes in the data set's class
// proportions, Gaussian blobs from TestSupport's `gaussianBlobs`, the tests' generator), printed in seconds.
//
//   classicml-benchmark
//
// Run the release build (`swift build -c release --product classicml-benchmark`); it asserts
// nothing, it only reports: the SVM grid search, one SVM training with probabilities, and XGBoost
// with early stopping on 1 and 2 threads.
import ClassicML
import Foundation
import Randomness
import TestSupport

/// Runs `work` and prints its wall-clock time in seconds.
func timed<T>(_ label: String, _ work: () throws -> T) rethrows -> T {
    let start = Date()
    let result = try work()
    print(String(format: "%@: %.2f s", label, Date().timeIntervalSince(start)))
    return result
}

do {
    let training = try gaussianBlobs(countPerClass: [322, 630, 616, 515], dimensions: 70, separation: 1.6, seed: 81)
    let validation = try gaussianBlobs(countPerClass: [76, 148, 144, 121], dimensions: 70, separation: 1.6, seed: 82)
    let weights = try balancedClassWeights(labels: training.labels, classCount: 4)
    let standardizer = try FeatureStandardizer(fitting: training.features)
    let train = (features: try standardizer.transform(training.features), labels: training.labels)
    let valid = (features: try standardizer.transform(validation.features), labels: validation.labels)

    let search = try timed("SVM grid search (5 C x 5 gamma screened, best 3 refit with probabilities)") {
        try SVMHyperparameterSearch.select(train: train, validation: valid, classCount: 4, classWeights: weights, seed: 1)
    }
    print("SVM chose C \(search.c), gamma \(search.gamma), points refit:",
          search.table.filter { $0.validationLogLoss != nil }.count)
    print("SVM validation accuracy", try search.model.probabilities(for: valid.features).accuracy(labels: valid.labels))
    _ = try timed("one SVM training with probabilities") {
        try SVMClassifier.train(features: train.features, labels: train.labels, classCount: 4, classWeights: weights,
                                c: search.c, gamma: search.gamma, seed: 1)
    }
    for threads in [1, 2] {
        var parameters = XGBoostParameters()
        parameters.nthread = threads
        let boosted = try timed("XGBoost training with early stopping, \(threads) thread(s)") {
            try XGBoostClassifier.train(train: train, validation: valid, classCount: 4, classWeights: weights,
                                        parameters: parameters, seed: 1)
        }
        print("XGBoost rounds run \(boosted.validationLossHistory.count), best \(boosted.bestIteration),",
              "validation accuracy", try boosted.probabilities(for: valid.features).accuracy(labels: valid.labels))
    }
} catch {
    FileHandle.standardError.write(Data("classicml-benchmark: \(error)\n".utf8))
    exit(1)
}
