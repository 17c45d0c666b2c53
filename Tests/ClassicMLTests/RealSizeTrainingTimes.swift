import ClassicML
import Foundation
import TestSupport
import XCTest

/// Training times on a synthetic problem of the real size (about 1,700 training rows x 70 features,
/// 4 classes with the data set's class proportions). Slow, so it runs only with
/// `CLASSICML_TIMINGS=1 swift test --filter RealSizeTrainingTimes`.
final class RealSizeTrainingTimes: XCTestCase {
    func testReportTrainingTimes() throws {
        guard ProcessInfo.processInfo.environment["CLASSICML_TIMINGS"] == "1" else {
            throw XCTSkip("set CLASSICML_TIMINGS=1 to measure training times")
        }
        let training = try gaussianBlobs(countPerClass: [322, 630, 616, 515], dimensions: 70, separation: 1.6, seed: 81)
        let validation = try gaussianBlobs(countPerClass: [76, 148, 144, 121], dimensions: 70, separation: 1.6, seed: 82)
        let weights = try balancedClassWeights(labels: training.labels, classCount: 4)
        let standardizer = try FeatureStandardizer(fitting: training.features)
        let train = (features: try standardizer.transform(training.features), labels: training.labels)
        let valid = (features: try standardizer.transform(validation.features), labels: validation.labels)

        func timed<T>(_ label: String, _ work: () throws -> T) rethrows -> T {
            let start = Date()
            let result = try work()
            print(String(format: "timing: %@ %.2f s", label, Date().timeIntervalSince(start)))
            return result
        }
        let search = try timed("SVM grid search (5 C x 5 gamma screened, best 3 refit with probabilities)") {
            try SVMHyperparameterSearch.select(train: train, validation: valid, classCount: 4,
                                               classWeights: weights, seed: 1)
        }
        print("timing: SVM chose C \(search.c), gamma \(search.gamma), points refit:",
              search.table.filter { $0.validationLogLoss != nil }.count)
        print("timing: SVM validation accuracy",
              try search.model.probabilities(for: valid.features).accuracy(labels: valid.labels))
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
            print("timing: XGBoost rounds run \(boosted.validationLossHistory.count), best \(boosted.bestIteration),",
                  "validation accuracy", try boosted.probabilities(for: valid.features).accuracy(labels: valid.labels))
        }
    }
}
