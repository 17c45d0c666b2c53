import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// A hand-computed 4-class example (n = 10); rows true, columns predicted:
///
///              Benign Early Pre Pro | support
///     Benign      3     1    0   0  |   4
///     Early       0     2    1   0  |   3
///     Pre         0     0    1   1  |   2
///     Pro         0     0    0   1  |   1
///     predicted   3     3    2   2
///
/// accuracy = 7/10; precision = (1, 2/3, 1/2, 1/2); recall = (3/4, 2/3, 1/2, 1);
/// F1 = (6/7, 2/3, 1/2, 2/3); macro F1 = (6/7 + 2/3 + 1/2 + 2/3)/4 = 113/168;
/// weighted F1 = (4·6/7 + 3·2/3 + 2·1/2 + 1·2/3)/10 = 149/210;
/// chance agreement = (4·3 + 3·3 + 2·2 + 1·2)/100 = 0.27, kappa = (0.7 − 0.27)/(1 − 0.27) = 43/73;
/// cost with the study matrix = 1·10 (Benign→Early) + 1·15 (Early→Pre) + 1·10 (Pre→Pro) = 35,
/// ΣC = 60 + 50 + 45 + 65 = 220, cost-sensitive accuracy = 1 − 35/(220·10/4) = 103/110.
/// With one-hot probabilities of the prediction: Benign AUC = (3·6 wins + 1·6 ties·½)/(4·6) = 21/24;
/// Pro AUC = (8 wins + 1 tie·½)/(1·9) = 8.5/9.
final class ClassificationMetricsTests: XCTestCase {
    private let truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
    private let predicted = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3]

    private func oneHot(_ labels: [Int]) -> [[Double]] {
        labels.map { label in (0..<4).map { $0 == label ? 1 : 0 } }
    }

    private func handExample() throws -> ClassificationMetrics {
        try ClassificationMetrics(trueLabels: truth, predictedLabels: predicted, probabilities: oneHot(predicted),
                                  classNames: studyClassNames, cost: .study)
    }

    func testHandComputedExample() throws {
        let metrics = try handExample()
        XCTAssertEqual(metrics.confusionMatrix, [[3, 1, 0, 0], [0, 2, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]])
        XCTAssertEqual(metrics.accuracy, 0.7, accuracy: 1e-12)
        let expected: [(Double, Double, Double, Int)] = [(1, 3.0 / 4, 6.0 / 7, 4), (2.0 / 3, 2.0 / 3, 2.0 / 3, 3),
                                                         (0.5, 0.5, 0.5, 2), (0.5, 1, 2.0 / 3, 1)]
        for (scores, (precision, recall, f1, support)) in zip(metrics.perClass, expected) {
            XCTAssertEqual(scores.precision, precision, accuracy: 1e-12, scores.name)
            XCTAssertEqual(scores.recall, recall, accuracy: 1e-12, scores.name)
            XCTAssertEqual(scores.f1, f1, accuracy: 1e-12, scores.name)
            XCTAssertEqual(scores.support, support, scores.name)
        }
        XCTAssertEqual(metrics.macroF1, 113.0 / 168, accuracy: 1e-12)
        XCTAssertEqual(metrics.weightedF1, 149.0 / 210, accuracy: 1e-12)
        XCTAssertEqual(metrics.cohenKappa, 43.0 / 73, accuracy: 1e-12)
        XCTAssertEqual(metrics.totalCost, 35)
        XCTAssertEqual(metrics.averageCost, 3.5, accuracy: 1e-12)
        XCTAssertEqual(metrics.costSensitiveAccuracy, 103.0 / 110, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.rocAUC[0]), 21.0 / 24, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.rocAUC[3]), 8.5 / 9, accuracy: 1e-12)
    }

    func testPerfectClassifier() throws {
        let labels = [0, 1, 2, 3, 0, 1, 2, 3, 3]
        let metrics = try ClassificationMetrics(trueLabels: labels, predictedLabels: labels, probabilities: oneHot(labels),
                                                classNames: studyClassNames, cost: .study)
        XCTAssertEqual(metrics.accuracy, 1)
        XCTAssertEqual(metrics.cohenKappa, 1, accuracy: 1e-12)
        XCTAssertEqual(metrics.macroF1, 1)
        XCTAssertEqual(metrics.totalCost, 0)
        XCTAssertEqual(metrics.costSensitiveAccuracy, 1)
        XCTAssertEqual(metrics.rocAUC, [1, 1, 1, 1])
    }

    func testRankedExampleWithTies() {
        // Positives score 0.4 and 0.8; negatives 0.1, 0.35, 0.4. Pairs: 0.4 beats 0.1 and 0.35 and
        // ties 0.4 (½); 0.8 beats all three: (2 + ½ + 3)/6 = 11/12.
        let auc = ClassificationMetrics.rocAUC(scores: [0.1, 0.4, 0.35, 0.8, 0.4], positives: [false, true, false, true, false])
        XCTAssertEqual(auc ?? -1, 11.0 / 12, accuracy: 1e-12)
        XCTAssertEqual(ClassificationMetrics.rocAUC(scores: [3, 2, 1], positives: [false, false, true]), 0)
        XCTAssertEqual(ClassificationMetrics.rocAUC(scores: [5, 5, 5, 5], positives: [true, false, false, true]), 0.5)
        XCTAssertNil(ClassificationMetrics.rocAUC(scores: [0.2, 0.9], positives: [false, false]))
        XCTAssertNil(ClassificationMetrics.rocAUC(scores: [0.2, 0.9], positives: [true, true]))
    }

    func testSingleClassSubsetHasNoNaN() throws {
        // Only Pre images, all predicted Pre: chance agreement is 1, so kappa is 0 by convention,
        // no class has both positives and negatives, so every AUC is undefined.
        let metrics = try ClassificationMetrics(trueLabels: [2, 2, 2], predictedLabels: [2, 2, 2],
                                                probabilities: oneHot([2, 2, 2]), classNames: studyClassNames,
                                                cost: .study)
        XCTAssertEqual(metrics.cohenKappa, 0)
        XCTAssertEqual(metrics.macroF1, 1, "only Pre occurs")
        XCTAssertEqual(metrics.rocAUC, [nil, nil, nil, nil])
        XCTAssertNil(metrics.macroRocAUC)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) as? [String: Any])
        XCTAssertTrue(json["macro_roc_auc"] is NSNull)
    }

    func testJSONKeys() throws {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(handExample())) as? [String: Any])
        XCTAssertEqual(Set(json.keys), [
            "class_names", "sample_count", "accuracy", "confusion_matrix", "per_class", "macro_f1", "weighted_f1",
            "cohen_kappa", "roc_auc", "macro_roc_auc", "cost_matrix", "total_cost", "average_cost",
            "cost_sensitive_accuracy",
        ])
        let perClass = try XCTUnwrap(json["per_class"] as? [[String: Any]])
        XCTAssertEqual(Set(perClass[0].keys), ["class", "precision", "recall", "f1", "support"])
        XCTAssertEqual(perClass[0]["class"] as? String, "Benign")
        XCTAssertEqual(try JSONDecoder().decode(ClassificationMetrics.self, from: JSONEncoder().encode(handExample())),
                       try handExample())
    }

    func testBadInputs() {
        let names = studyClassNames
        assertThrows(MetricsError.empty) {
            _ = try ClassificationMetrics(trueLabels: [], predictedLabels: [], probabilities: [], classNames: names, cost: .study)
        }
        assertThrows(MetricsError.countMismatch(what: "predicted labels", found: 1, expected: 2)) {
            _ = try ClassificationMetrics(trueLabels: [0, 1], predictedLabels: [0], probabilities: oneHot([0, 1]),
                                          classNames: names, cost: .study)
        }
        assertThrows(MetricsError.labelOutOfRange(sample: 1, label: 4, classCount: 4), mentioning: ["label 4"]) {
            _ = try ClassificationMetrics(trueLabels: [0, 1], predictedLabels: [0, 4], probabilities: oneHot([0, 1]),
                                          classNames: names, cost: .study)
        }
        assertThrows(MetricsError.probabilityRow(sample: 0, found: 3, expected: 4)) {
            _ = try ClassificationMetrics(trueLabels: [0], predictedLabels: [0], probabilities: [[1, 0, 0]],
                                          classNames: names, cost: .study)
        }
        assertThrows(MetricsError.nonFiniteProbability(sample: 0)) {
            _ = try ClassificationMetrics(trueLabels: [0], predictedLabels: [0], probabilities: [[.nan, 0, 0, 0]],
                                          classNames: names, cost: .study)
        }
        assertThrows(MetricsError.countMismatch(what: "cost matrix classes", found: 4, expected: 2)) {
            _ = try ClassificationMetrics(trueLabels: [0], predictedLabels: [0], probabilities: [[1, 0]],
                                          classNames: ["A", "B"], cost: .study)
        }
    }
}
