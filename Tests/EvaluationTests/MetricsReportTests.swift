import XCTest
@testable import Evaluation

final class MetricsReportTests: XCTestCase {
    func testReportShowsTablesWithClassNames() throws {
        // The hand example of ClassificationMetricsTests: accuracy 0.7, total cost 35.
        let truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
        let predicted = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3]
        let metrics = try ClassificationMetrics(
            trueLabels: truth, predictedLabels: predicted,
            probabilities: predicted.map { label in (0..<4).map { $0 == label ? 1 : 0 } },
            classNames: studyClassNames, cost: .study)
        let report = MetricsReport.markdown(title: "SVM on test", metrics: metrics,
                                            details: [("Model", "svm|rbf"), ("Seed", "42")])
        let lines = report.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "# SVM on test")
        XCTAssertTrue(lines.contains("| Model | svm\\|rbf |"), "pipes in cells are escaped")
        XCTAssertTrue(lines.contains("| Accuracy | 0.7000 |"))
        XCTAssertTrue(lines.contains("| True \\ Predicted | Benign | Early | Pre | Pro | Total |"))
        XCTAssertTrue(lines.contains("| Benign | 3 | 1 | 0 | 0 | 4 |"))
        // Pre AUC from one-hot scores: positive scored 1 beats 7 zeros and ties 1 (7.5), positive
        // scored 0 ties 7 zeros (3.5): 11/16.
        XCTAssertTrue(lines.contains("| Pre | 0.5000 | 0.5000 | 0.5000 | 2 | 0.6875 |"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("| Total cost") && $0.hasSuffix("| 35.00 |") })
        XCTAssertTrue(lines.contains("| Pro | 30.00 | 25.00 | 10.00 | 0.00 |"))
        XCTAssertFalse(report.contains("Sensitivity"), "binary rows only for two classes")
        for heading in ["## Summary", "## Confusion matrix", "## Per class", "## Cost"] {
            XCTAssertTrue(lines.contains(heading), heading)
        }
    }
}
