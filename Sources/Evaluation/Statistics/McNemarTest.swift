import Foundation

/// McNemar's exact test of two classifiers on the same images (McNemar 1947; the exact
/// conditional form, Fagerland, Lydersen & Laake 2013, "The McNemar test for binary matched-pairs
/// data"): only the discordant images count, b where the first model is right and the second
/// wrong, c the reverse. Under the null hypothesis of equal error rates b ~ Bin(b + c, 1/2) given
/// b + c, and the two-sided p-value is `min(1, 2 · P(X ≤ min(b, c)))`, X ~ Bin(b + c, 1/2);
/// 1 when b + c = 0. The binomial terms are summed in log space, so thousands of discordant
/// images neither overflow nor underflow to NaN.
///
/// JSON keys: `only_first_correct`, `only_second_correct`, `p_value`.
public struct McNemarTest: Codable, Equatable, Sendable {
    /// b: images the first model gets right and the second wrong.
    public let onlyFirstCorrect: Int
    /// c: images the second model gets right and the first wrong.
    public let onlySecondCorrect: Int
    /// The two-sided exact p-value.
    public let pValue: Double

    /// The test from the discordant counts b and c.
    /// - Precondition: both are non-negative.
    public init(onlyFirstCorrect b: Int, onlySecondCorrect c: Int) {
        precondition(b >= 0 && c >= 0, "discordant counts are non-negative")
        onlyFirstCorrect = b
        onlySecondCorrect = c
        pValue = b + c == 0 ? 1 : min(1, 2 * Self.binomialLowerTail(atMost: min(b, c), trials: b + c))
    }

    /// The test of two models' predicted classes against the true `labels` of the same images.
    /// - Throws: `MetricsError.empty` or `.countMismatch`.
    public init(labels: [Int], firstPredictions: [Int], secondPredictions: [Int]) throws {
        guard !labels.isEmpty else { throw MetricsError.empty }
        for (what, predictions) in [("first model's predictions", firstPredictions),
                                    ("second model's predictions", secondPredictions)] where predictions.count != labels.count {
            throw MetricsError.countMismatch(what: what, found: predictions.count, expected: labels.count)
        }
        var b = 0, c = 0
        for (label, (first, second)) in zip(labels, zip(firstPredictions, secondPredictions)) {
            if first == label, second != label { b += 1 }
            if first != label, second == label { c += 1 }
        }
        self.init(onlyFirstCorrect: b, onlySecondCorrect: c)
    }

    /// `P(X ≤ k)` for X ~ Bin(n, 1/2): `Σ_{i ≤ k} exp(log C(n, i) − n log 2)`, the log binomial
    /// coefficients by the recurrence `log C(n, i + 1) = log C(n, i) + log(n − i) − log(i + 1)`
    /// and the sum taken relative to its largest term (log-sum-exp).
    package static func binomialLowerTail(atMost k: Int, trials n: Int) -> Double {
        guard k < n else { return 1 }
        guard k >= 0 else { return 0 }
        var logTerms = [0.0]
        for i in 0..<k { logTerms.append(logTerms[i] + log(Double(n - i)) - log(Double(i + 1))) }
        let largest = logTerms.max() ?? 0
        let sum = logTerms.reduce(0) { $0 + exp($1 - largest) }
        return min(1, exp(largest + log(sum) - Double(n) * log(2.0)))
    }

    private enum CodingKeys: String, CodingKey {
        case onlyFirstCorrect = "only_first_correct", onlySecondCorrect = "only_second_correct", pValue = "p_value"
    }
}
