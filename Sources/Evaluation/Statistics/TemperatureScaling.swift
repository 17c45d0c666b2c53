import Foundation

/// Temperature scaling (Guo, Pleiss, Sun & Weinberger 2017, "On calibration of modern neural
/// networks", §4.2): one scalar T > 0 divides every logit, `p = softmax(z / T)`, and is fitted on
/// held-out (validation) images by minimizing the mean negative log-likelihood
/// `NLL(T) = −(1/n) Σ_i log softmax(z_i / T)[y_i]`. Dividing by T keeps the order of a row's
/// logits, so the arg-max (the decision) never changes; T > 1 softens over-confident scores.
///
/// Classical models give probabilities; their logarithms serve as logits (probabilities below
/// `probabilityFloor` are clamped to it first), and `softmax(log p / T) ∝ p^(1/T)`.
///
/// The fit is deterministic: NLL is convex in β = 1/T (its second derivative is the variance of
/// the logits under the scaled softmax), hence unimodal in log T; a golden-section search on
/// log T ∈ [−5, 5] (Kiefer 1953; Press et al., Numerical Recipes §10.2) brackets the minimum,
/// and Newton steps in β, kept only while they lower the NLL, polish it.
///
/// Separable images — every image's own class strictly the most probable — say nothing about T:
/// each image's NLL then falls with β (its derivative in β is E_p[z] − z_y < 0), so the fit would
/// run to T → 0 and make every later decision certain, wrong ones included (a grouped fold of ALL
/// fitted T = 0.007 on a validation part it classified perfectly, then made 13 errors on its test
/// part at probabilities of 0.9998 to 1.0). They keep T = 1, the model's own probabilities (`isSeparable`).
public enum TemperatureScaling {
    /// Probabilities are clamped to at least this before their logarithm is taken.
    public static let probabilityFloor = 1e-12

    /// The searched range of log T.
    public static let logTemperatureRange: ClosedRange<Double> = -5...5

    /// The temperature minimizing the mean NLL of `logits` (`[image][class]`) against `labels`.
    /// - Throws: `MetricsError` for empty or mismatched input, non-finite logits, or labels
    ///   outside 0..<k.
    public static func fit(logits: [[Double]], labels: [Int]) throws -> Double {
        _ = try MetricsError.checkRows(logits, labels: labels)
        if isSeparable(logits: logits, labels: labels) { return 1 }
        let nll = { (logTemperature: Double) in
            meanNegativeLogLikelihood(logits: logits, labels: labels, inverseTemperature: exp(-logTemperature))
        }
        var low = logTemperatureRange.lowerBound, high = logTemperatureRange.upperBound
        let ratio = (5.0.squareRoot() - 1) / 2
        var left = high - ratio * (high - low), right = low + ratio * (high - low)
        var leftValue = nll(left), rightValue = nll(right)
        for _ in 0..<80 {
            if leftValue <= rightValue {
                high = right
                right = left
                rightValue = leftValue
                left = high - ratio * (high - low)
                leftValue = nll(left)
            } else {
                low = left
                left = right
                leftValue = rightValue
                right = low + ratio * (high - low)
                rightValue = nll(right)
            }
        }
        var beta = exp(-(leftValue <= rightValue ? left : right))
        var best = meanNegativeLogLikelihood(logits: logits, labels: labels, inverseTemperature: beta)
        let betaRange = exp(-logTemperatureRange.upperBound)...exp(-logTemperatureRange.lowerBound)
        for _ in 0..<8 {
            let (gradient, curvature) = derivatives(logits: logits, labels: labels, inverseTemperature: beta)
            guard curvature > 0 else { break }
            let candidate = min(max(beta - gradient / curvature, betaRange.lowerBound), betaRange.upperBound)
            let value = meanNegativeLogLikelihood(logits: logits, labels: labels, inverseTemperature: candidate)
            guard value < best else { break }
            beta = candidate
            best = value
        }
        return 1 / beta
    }

    /// Whether every row's own class has the strictly largest logit (or probability): the case in
    /// which no finite temperature minimizes the NLL, and `fit` keeps T = 1.
    public static func isSeparable(logits: [[Double]], labels: [Int]) -> Bool {
        zip(logits, labels).allSatisfy { row, label in row.indices.allSatisfy { $0 == label || row[$0] < row[label] } }
    }

    /// The temperature for a classical model's `probabilities`, through their clamped logarithms.
    /// - Throws: as `fit(logits:labels:)`.
    public static func fit(probabilities: [[Double]], labels: [Int]) throws -> Double {
        try fit(logits: logits(ofProbabilities: probabilities), labels: labels)
    }

    /// `softmax(z / temperature)` of each row of `logits`: the calibrated probabilities.
    public static func apply(_ temperature: Double, toLogits logits: [[Double]]) -> [[Double]] {
        logits.map { softmax($0, inverseTemperature: 1 / temperature) }
    }

    /// The calibrated probabilities of a classical model: `softmax(log p / temperature)` per row.
    public static func apply(_ temperature: Double, toProbabilities probabilities: [[Double]]) -> [[Double]] {
        apply(temperature, toLogits: logits(ofProbabilities: probabilities))
    }

    /// `log max(p, probabilityFloor)` of every entry.
    public static func logits(ofProbabilities probabilities: [[Double]]) -> [[Double]] {
        probabilities.map { row in row.map { log(max($0, probabilityFloor)) } }
    }

    /// `softmax(β · z)`, shifted by the row's maximum so that no exponential overflows.
    static func softmax(_ logits: [Double], inverseTemperature beta: Double) -> [Double] {
        let largest = logits.max() ?? 0
        let exponentials = logits.map { exp(beta * ($0 - largest)) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }

    /// `NLL = (1/n) Σ_i [logsumexp(β z_i) − β z_i[y_i]]`.
    package static func meanNegativeLogLikelihood(logits: [[Double]], labels: [Int], inverseTemperature beta: Double) -> Double {
        var total = 0.0
        for (row, label) in zip(logits, labels) {
            let largest = row.max() ?? 0
            let sum = row.reduce(0) { $0 + exp(beta * ($1 - largest)) }
            total += log(sum) - beta * (row[label] - largest)
        }
        return total / Double(logits.count)
    }

    /// The first and second derivatives of the mean NLL with respect to β:
    /// `(1/n) Σ_i (E_p[z_i] − z_i[y_i])` and `(1/n) Σ_i Var_p[z_i]`, p = softmax(β z_i).
    static func derivatives(logits: [[Double]], labels: [Int], inverseTemperature beta: Double) -> (Double, Double) {
        var gradient = 0.0, curvature = 0.0
        for (row, label) in zip(logits, labels) {
            let p = softmax(row, inverseTemperature: beta)
            let mean = zip(p, row).reduce(0) { $0 + $1.0 * $1.1 }
            gradient += mean - row[label]
            curvature += zip(p, row).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
        }
        let n = Double(logits.count)
        return (gradient / n, curvature / n)
    }
}
