import Foundation
import Randomness
import XCTest
@testable import Evaluation

final class BootstrapTests: XCTestCase {
    private let correct = (0..<100).map { $0 % 10 != 0 }

    private func accuracy(_ indices: [Int]) -> Double {
        Double(indices.filter { correct[$0] }.count) / Double(indices.count)
    }

    /// 90 of 100 correct: the textbook normal interval is 0.9 ± 1.96 · √(0.9 · 0.1 / 100) =
    /// [0.841, 0.959]; the percentile bootstrap of the accuracy should land within 0.015 of it.
    func testAccuracyIntervalMatchesTheNormalInterval() throws {
        let interval = try Bootstrap.percentileInterval(sampleCount: 100, seed: 7, statistic: accuracy)
        let halfWidth = 1.959964 * (0.9 * 0.1 / 100).squareRoot()
        XCTAssertEqual(interval.estimate, 0.9, accuracy: 1e-12)
        XCTAssertEqual(interval.lower, 0.9 - halfWidth, accuracy: 0.015)
        XCTAssertEqual(interval.upper, 0.9 + halfWidth, accuracy: 0.015)
        XCTAssertEqual(interval.resamples, 2_000)
        XCTAssertEqual(interval.level, 0.95)
        XCTAssertEqual(interval.undefinedResamples, 0)
    }

    func testSeedsDecideTheResamples() throws {
        var generator = SeededGenerator(seed: 99)
        let values = (0..<100).map { _ in generator.nextNormal() }
        let mean = { (indices: [Int]) in indices.reduce(0) { $0 + values[$1] } / Double(indices.count) }
        let first = try Bootstrap.percentileInterval(sampleCount: 100, seed: 1, statistic: mean)
        let again = try Bootstrap.percentileInterval(sampleCount: 100, seed: 1, statistic: mean)
        let other = try Bootstrap.percentileInterval(sampleCount: 100, seed: 2, statistic: mean)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first.lower, other.lower)
        XCTAssertNotEqual(first.upper, other.upper)
        XCTAssertEqual(Bootstrap.replicates(sampleCount: 100, resamples: 50, seed: 3, statistic: accuracy),
                       Bootstrap.replicates(sampleCount: 100, resamples: 50, seed: 3, statistic: accuracy))
        XCTAssertNotEqual(Bootstrap.replicates(sampleCount: 100, resamples: 50, seed: 3, statistic: accuracy),
                          Bootstrap.replicates(sampleCount: 100, resamples: 50, seed: 4, statistic: accuracy))
    }

    /// Model A is right on 90 images, B on 80 of those same images: the per-image difference is 1
    /// on 10 images and 0 elsewhere, so the paired interval of accuracy A − B is about
    /// 0.1 ± 1.96 · √(0.1 · 0.9 / 100) = [0.041, 0.159]. Resampling the models independently would
    /// give 0.1 ± 1.96 · √((0.09 + 0.16) / 100) = [0.002, 0.198] instead.
    func testPairedDifferenceUsesTheSameImages() throws {
        let secondCorrect = (0..<100).map { $0 % 10 != 0 && $0 % 9 != 1 }
        XCTAssertEqual(secondCorrect.filter { $0 }.count, 80)
        let interval = try Bootstrap.pairedDifference(sampleCount: 100, seed: 11, first: accuracy) { indices in
            Double(indices.filter { secondCorrect[$0] }.count) / Double(indices.count)
        }
        XCTAssertEqual(interval.estimate, 0.1, accuracy: 1e-12)
        XCTAssertEqual(interval.lower, 0.041, accuracy: 0.015)
        XCTAssertEqual(interval.upper, 0.159, accuracy: 0.015)
    }

    /// A statistic undefined when image 0 is missing: a resample misses it with probability
    /// (1 − 1/100)^100 ≈ 0.366, so about 732 of 2,000 resamples are left out.
    func testUndefinedResamplesAreCountedAndLeftOut() throws {
        let interval = try Bootstrap.percentileInterval(sampleCount: 100, seed: 5) { indices in
            indices.contains(0) ? 1 : .nan
        }
        XCTAssertEqual(Double(interval.undefinedResamples), 732, accuracy: 80)
        XCTAssertEqual(interval.lower, 1)
        XCTAssertThrowsError(try Bootstrap.percentileInterval(sampleCount: 10, seed: 5) { _ in .nan })
        XCTAssertThrowsError(try Bootstrap.percentileInterval(sampleCount: 10, level: 1, seed: 5, statistic: accuracy))
    }

    /// Type 7: h = (m − 1)p; [1, 2, 3, 4] at 0.5 → h = 1.5 → 2.5; at 0.025 → h = 0.075 → 1.075.
    func testQuantileInterpolates() {
        XCTAssertEqual(Bootstrap.quantile(sorted: [1, 2, 3, 4], 0.5), 2.5, accuracy: 1e-12)
        XCTAssertEqual(Bootstrap.quantile(sorted: [1, 2, 3, 4], 0.025), 1.075, accuracy: 1e-12)
        XCTAssertEqual(Bootstrap.quantile(sorted: [1, 2, 3, 4], 1), 4)
        XCTAssertEqual(Bootstrap.quantile(sorted: [7], 0.3), 7)
    }
}
