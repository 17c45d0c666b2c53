import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// Sensitivity, specificity and the positive class's ROC AUC of two-class sets, and metrics for
/// more classes than the study's four.
///
/// The binary example: classes Healthy (0) and Leukemia (1), 3 Leukemia then 5 Healthy images,
/// with scores (Healthy, Leukemia) that need not sum to 1:
///
///     image  true      Healthy  Leukemia  arg-max
///       0    Leukemia   0.1      0.9      Leukemia
///       1    Leukemia   0.5      0.6      Leukemia
///       2    Leukemia   0.8      0.3      Healthy
///       3    Healthy    0.2      0.7      Leukemia
///       4    Healthy    0.6      0.4      Healthy
///       5    Healthy    0.3      0.2      Healthy
///       6    Healthy    0.9      0.1      Healthy
///       7    Healthy    0.4      0.05     Healthy
///
/// TP = 2, FN = 1, TN = 4, FP = 1. With Leukemia positive (the default, index 1): sensitivity
/// 2/3, specificity 4/5; ROC AUC of the Leukemia scores over 3·5 = 15 pairs: 0.9 beats all 5
/// negatives, 0.6 beats 4 (not 0.7), 0.3 beats 3 (0.2, 0.1, 0.05): 12/15.
/// With Healthy positive: sensitivity 4/5, specificity 2/3; ROC AUC of the Healthy scores, the
/// positives 0.2, 0.6, 0.3, 0.9, 0.4 against the negatives 0.1, 0.5, 0.8: 1 + 2 + 1 + 3 + 1 = 8
/// of 15 pairs.
final class BinaryMetricsTests: XCTestCase {
    private let names = ["Healthy", "Leukemia"]
    private let truth = [1, 1, 1, 0, 0, 0, 0, 0]
    private let scores: [[Double]] = [[0.1, 0.9], [0.5, 0.6], [0.8, 0.3], [0.2, 0.7], [0.6, 0.4], [0.3, 0.2],
                                      [0.9, 0.1], [0.4, 0.05]]

    private func binaryMetrics(positiveClass: Int? = nil) throws -> ClassificationMetrics {
        try ClassificationMetrics(trueLabels: truth, probabilities: scores, classNames: names,
                                  cost: .zeroOne(classCount: 2), positiveClass: positiveClass)
    }

    func testLeukemiaPositiveByDefault() throws {
        let metrics = try binaryMetrics()
        XCTAssertEqual(metrics.confusionMatrix, [[4, 1], [1, 2]])
        XCTAssertEqual(metrics.positiveClass, 1)
        XCTAssertEqual(try XCTUnwrap(metrics.sensitivity), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.specificity), 4.0 / 5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.positiveRocAUC), 12.0 / 15, accuracy: 1e-12)
        XCTAssertEqual(metrics.totalCost, 2, "zero-one cost counts the two errors")
        XCTAssertEqual(try binaryMetrics(positiveClass: 1), metrics)
    }

    func testHealthyPositive() throws {
        let metrics = try binaryMetrics(positiveClass: 0)
        XCTAssertEqual(metrics.positiveClass, 0)
        XCTAssertEqual(try XCTUnwrap(metrics.sensitivity), 4.0 / 5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.specificity), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics.positiveRocAUC), 8.0 / 15, accuracy: 1e-12)
    }

    func testNoPositivesGivesZeroSensitivityAndNoAUC() throws {
        // Two Healthy images, one called Leukemia: no positives, so sensitivity is 0 by convention
        // and the AUC undefined; specificity 1/2.
        let metrics = try ClassificationMetrics(trueLabels: [0, 0], predictedLabels: [0, 1],
                                                probabilities: [[0.8, 0.2], [0.3, 0.7]], classNames: names,
                                                cost: .zeroOne(classCount: 2))
        XCTAssertEqual(metrics.sensitivity, 0)
        XCTAssertEqual(metrics.specificity, 0.5)
        XCTAssertNil(metrics.positiveRocAUC)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) as? [String: Any])
        XCTAssertTrue(json["positive_roc_auc"] is NSNull)
        XCTAssertEqual(json["sensitivity"] as? Double, 0)
    }

    func testPositiveClassMustFit() {
        assertThrows(MetricsError.positiveClass(2, classCount: 2), mentioning: ["positive class 2", "0..<2"]) {
            _ = try self.binaryMetrics(positiveClass: 2)
        }
        assertThrows(MetricsError.positiveClass(1, classCount: 3), mentioning: ["two classes only", "not 3"]) {
            _ = try ClassificationMetrics(trueLabels: [0, 1, 2], predictedLabels: [0, 1, 2],
                                          probabilities: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], classNames: ["A", "B", "C"],
                                          cost: .zeroOne(classCount: 3), positiveClass: 1)
        }
    }

    func testBinaryJSONKeysRoundTrip() throws {
        let metrics = try binaryMetrics()
        let data = try JSONEncoder().encode(metrics)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["positive_class"] as? Int, 1)
        XCTAssertEqual(try XCTUnwrap(json["sensitivity"] as? Double), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(json["specificity"] as? Double), 4.0 / 5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(json["positive_roc_auc"] as? Double), 12.0 / 15, accuracy: 1e-12)
        XCTAssertEqual(try JSONDecoder().decode(ClassificationMetrics.self, from: data), metrics)
    }

    func testMetricsJSONWithoutBinaryKeysDecodes() throws {
        // A two-class metrics.json written before the binary keys existed.
        let old = """
            {"accuracy": 0.75, "average_cost": 0.25, "class_names": ["Healthy", "Leukemia"], "cohen_kappa": 0.4667,
             "confusion_matrix": [[4, 1], [1, 2]], "cost_matrix": [[0, 1], [1, 0]], "cost_sensitive_accuracy": 0.5,
             "macro_f1": 0.7333, "macro_roc_auc": 0.6667,
             "per_class": [{"class": "Healthy", "f1": 0.8, "precision": 0.8, "recall": 0.8, "support": 5},
                           {"class": "Leukemia", "f1": 0.6667, "precision": 0.6667, "recall": 0.6667, "support": 3}],
             "roc_auc": [0.5333, 0.8], "sample_count": 8, "total_cost": 2, "weighted_f1": 0.75}
            """
        let metrics = try JSONDecoder().decode(ClassificationMetrics.self, from: Data(old.utf8))
        XCTAssertEqual(metrics.classNames, names)
        XCTAssertEqual(metrics.confusionMatrix, [[4, 1], [1, 2]])
        XCTAssertNil(metrics.positiveClass)
        XCTAssertNil(metrics.sensitivity)
        XCTAssertNil(metrics.specificity)
        XCTAssertNil(metrics.positiveRocAUC)
        // Such metrics report without the binary rows.
        XCTAssertFalse(MetricsReport.markdown(title: "Old", metrics: metrics, details: []).contains("Sensitivity"))
    }

    func testReportShowsBinaryRows() throws {
        let report = MetricsReport.markdown(title: "Binary", metrics: try binaryMetrics(), details: [])
        let lines = report.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("| Sensitivity (positive class: Leukemia) | 0.6667 |"), report)
        XCTAssertTrue(lines.contains("| Specificity | 0.8000 |"), report)
        XCTAssertTrue(lines.contains("| ROC AUC of Leukemia | 0.8000 |"), report)
        XCTAssertTrue(lines.contains("| True \\ Predicted | Healthy | Leukemia | Total |"), report)
        let healthy = MetricsReport.markdown(title: "Binary", metrics: try binaryMetrics(positiveClass: 0), details: [])
        XCTAssertTrue(healthy.contains("| Sensitivity (positive class: Healthy) | 0.8000 |"), healthy)
        XCTAssertTrue(healthy.contains("| ROC AUC of Healthy | 0.5333 |"), healthy)
    }

    func testThreeClassesHaveNoBinaryScores() throws {
        let metrics = try ClassificationMetrics(trueLabels: [0, 1, 2, 2], predictedLabels: [0, 2, 2, 1],
                                                probabilities: [[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]],
                                                classNames: ["Benign", "Early", "Pre"], cost: .stageDistance(classCount: 3))
        XCTAssertNil(metrics.positiveClass)
        XCTAssertNil(metrics.sensitivity)
        XCTAssertNil(metrics.specificity)
        XCTAssertNil(metrics.positiveRocAUC)
        // Errors Early→Pre and Pre→Early, one stage each.
        XCTAssertEqual(metrics.totalCost, 2)
        XCTAssertEqual(metrics.accuracy, 0.5)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) as? [String: Any])
        XCTAssertTrue(Set(json.keys).isDisjoint(with: ["positive_class", "sensitivity", "specificity", "positive_roc_auc"]))
        XCTAssertFalse(MetricsReport.markdown(title: "Three", metrics: metrics, details: []).contains("Sensitivity"))
    }

    func testEightClasses() throws {
        // One image per class; the class-7 image is called class 6, everything else is right.
        // accuracy 7/8; F1 is 1 for classes 0–5, 2/3 for class 6 (precision 1/2, recall 1), 0 for
        // class 7 (never predicted): macro F1 = (6 + 2/3)/8 = 5/6; chance agreement
        // = (6·1·1 + 1·2 + 1·0)/64 = 1/8, kappa = (7/8 − 1/8)/(7/8) = 6/7; stage-distance cost 1.
        let truth = Array(0..<8)
        let predicted = [0, 1, 2, 3, 4, 5, 6, 6]
        let names = ["neutrophil", "eosinophil", "basophil", "lymphocyte", "monocyte", "ig", "erythroblast", "platelet"]
        let metrics = try ClassificationMetrics(
            trueLabels: truth, predictedLabels: predicted,
            probabilities: predicted.map { label in (0..<8).map { $0 == label ? 1 : 0 } },
            classNames: names, cost: .stageDistance(classCount: 8))
        XCTAssertEqual(metrics.accuracy, 7.0 / 8)
        XCTAssertEqual(metrics.macroF1, 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(metrics.weightedF1, 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(metrics.cohenKappa, 6.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(metrics.totalCost, 1)
        XCTAssertEqual(metrics.confusionMatrix[7], [0, 0, 0, 0, 0, 0, 1, 0])
        XCTAssertEqual(metrics.perClass[6].precision, 0.5)
        XCTAssertNil(metrics.sensitivity)
        let report = MetricsReport.markdown(title: "Eight", metrics: metrics, details: [])
        XCTAssertTrue(report.contains("| True \\ Predicted | " + names.joined(separator: " | ") + " | Total |"), report)
        XCTAssertTrue(report.contains("| platelet | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 1 |"), report)
    }
}
