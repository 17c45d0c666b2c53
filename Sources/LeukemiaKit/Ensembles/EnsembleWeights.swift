import Foundation
import Evaluation

/// The weights of a linear opinion pool `p = Σ_m w_m p_m` (w >= 0, Σ w = 1) fitted by minimizing
/// the mean negative log-likelihood of the true classes of held-out images,
/// `L(w) = −(1/n) Σ_i log Σ_m w_m q_mi`, `q_mi = p_m(y_i | x_i)`.
///
/// L is convex on the simplex (−log of a linear function), so every local minimum is global. It
/// is minimized by the multiplicative EM update for mixture proportions (Dempster, Laird & Rubin
/// 1977, "Maximum likelihood from incomplete data via the EM algorithm", §4.3; the same update is
/// Cover 1984, "An algorithm for maximizing expected log investment return", IEEE Trans. Inf.
/// Theory 30(2)): `w_m ← w_m · (1/n) Σ_i q_mi / Σ_k w_k q_ki`. Each step keeps w on the simplex
/// and never raises L (an EM step), needs no step size, and from the uniform start is
/// deterministic; it stops when no weight moves by more than `tolerance` or after
/// `maximumIterations`. When members are indistinguishable (identical q), every weight vector is
/// optimal and the update leaves the uniform start where it is.
public enum EnsembleWeights {
    public static let maximumIterations = 2000
    public static let tolerance = 1e-10

    /// The weights minimizing the validation log loss of the members' probabilities
    /// `probabilities[member][image][class]` against `labels`.
    /// - Throws: `MetricsError` for no members, no images, rows of different shapes or labels out of range.
    public static func fit(probabilities: [[[Double]]], labels: [Int]) throws -> [Double] {
        guard let first = probabilities.first else { throw MetricsError.empty }
        for member in probabilities {
            _ = try MetricsError.checkRows(member, labels: labels, classCount: first.first?.count)
        }
        // Only the probabilities of the true classes enter the loss.
        let q = probabilities.map { member in
            zip(member, labels).map { max($0[$1], TemperatureScaling.probabilityFloor) }
        }
        let count = probabilities.count, n = Double(labels.count)
        var weights = [Double](repeating: 1 / Double(count), count: count)
        for _ in 0..<maximumIterations {
            var next = [Double](repeating: 0, count: count)
            for image in labels.indices {
                let mixture = (0..<count).reduce(0) { $0 + weights[$1] * q[$1][image] }
                for member in 0..<count { next[member] += weights[member] * q[member][image] / mixture }
            }
            next = next.map { $0 / n }
            let total = next.reduce(0, +)
            next = next.map { $0 / total }
            let moved = zip(next, weights).map { abs($0 - $1) }.max() ?? 0
            weights = next
            if moved <= tolerance { break }
        }
        return weights
    }

    /// `L(w)`: the mean negative log-likelihood of the weighted average of `probabilities[member][image][class]`.
    public static func logLoss(weights: [Double], probabilities: [[[Double]]], labels: [Int]) -> Double {
        let average = combine(probabilities, weights: weights)
        return logLoss(average, labels: labels)
    }

    /// The mean negative log-likelihood of `probabilities[image][class]` (clamped at the floor).
    public static func logLoss(_ probabilities: [[Double]], labels: [Int]) -> Double {
        zip(probabilities, labels).map { -log(max($0[$1], TemperatureScaling.probabilityFloor)) }.reduce(0, +)
            / Double(max(labels.count, 1))
    }

    /// `Σ_m weights[m] · probabilities[m]`, image by image.
    public static func combine(_ probabilities: [[[Double]]], weights: [Double]) -> [[Double]] {
        guard let first = probabilities.first else { return [] }
        return first.indices.map { image in combine(probabilities.map { $0[image] }, weights: weights) }
    }

    /// `Σ_m weights[m] · rows[m]` of one image's member rows.
    public static func combine(_ rows: [[Double]], weights: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: rows.first?.count ?? 0)
        for (row, weight) in zip(rows, weights) {
            for index in result.indices { result[index] += weight * row[index] }
        }
        return result
    }
}
