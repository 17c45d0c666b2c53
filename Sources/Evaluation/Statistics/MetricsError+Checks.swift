extension MetricsError {
    /// Checks per-image score rows (probabilities or logits, `[image][class]`) and their labels,
    /// and returns the class count k, the length of every row.
    /// - Parameters:
    ///   - labels: the true class of each row; nil for unlabelled rows.
    ///   - classCount: the required k; nil takes it from the first row.
    /// - Throws: `MetricsError` for no rows, a label count other than the row count, rows of
    ///   unequal length, non-finite values, or a label outside 0..<k.
    package static func checkRows(_ rows: [[Double]], labels: [Int]?, classCount: Int? = nil) throws -> Int {
        guard let first = rows.first else { throw MetricsError.empty }
        if let labels, labels.count != rows.count {
            throw MetricsError.countMismatch(what: "labels", found: labels.count, expected: rows.count)
        }
        let k = classCount ?? first.count
        for (index, row) in rows.enumerated() {
            guard row.count == k else { throw MetricsError.probabilityRow(sample: index, found: row.count, expected: k) }
            guard row.allSatisfy(\.isFinite) else { throw MetricsError.nonFiniteProbability(sample: index) }
        }
        for (index, label) in (labels ?? []).enumerated() where !(0..<k).contains(label) {
            throw MetricsError.labelOutOfRange(sample: index, label: label, classCount: k)
        }
        return k
    }

    /// Checks that `value` lies strictly between 0 and 1 (a miscoverage or confidence level).
    /// - Throws: `MetricsError.parameterOutOfRange` naming `name`.
    package static func checkOpenUnitInterval(_ value: Double, name: String) throws {
        guard value > 0, value < 1 else {
            throw MetricsError.parameterOutOfRange(name: name, value: value, expected: "strictly between 0 and 1")
        }
    }
}
