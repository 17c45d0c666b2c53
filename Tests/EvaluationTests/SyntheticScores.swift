import Foundation
import Randomness

/// Scores of a perfectly calibrated synthetic classifier: per image, logits z_c ~ N(0, spread²)
/// independently, probabilities p = softmax(z), and the true label drawn from p — so among the
/// images given probability p for a class, that class is the truth a fraction p of the time.
struct SyntheticScores {
    var logits: [[Double]]
    var probabilities: [[Double]]
    var labels: [Int]

    init(count: Int, classCount: Int, spread: Double, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        logits = []
        probabilities = []
        labels = []
        for _ in 0..<count {
            let z = (0..<classCount).map { _ in spread * generator.nextNormal() }
            let p = Self.softmax(z)
            let u = generator.nextUnitDouble()
            var cumulative = 0.0
            var label = classCount - 1
            for (c, probability) in p.enumerated() {
                cumulative += probability
                if u < cumulative { label = c; break }
            }
            logits.append(z)
            probabilities.append(p)
            labels.append(label)
        }
    }

    /// The same images with every logit multiplied by `factor` (> 1: over-confident).
    func sharpened(by factor: Double) -> SyntheticScores {
        var copy = self
        copy.logits = logits.map { $0.map { $0 * factor } }
        copy.probabilities = copy.logits.map(Self.softmax)
        return copy
    }

    /// The test's own softmax (not the one under test).
    static func softmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0
        let e = z.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The index of each row's largest entry.
    static func argMax(_ row: [Double]) -> Int {
        row.indices.max { row[$0] < row[$1] } ?? 0
    }
}
