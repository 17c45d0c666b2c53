import XCTest

/// How close computed values must be to reference values.
public enum Tolerance: Sendable, CustomStringConvertible {
    /// Every element: `|actual − expected| ≤ bound · max(1, |expected|)` — an absolute bound for
    /// reference values below 1 in magnitude, a relative one above.
    case elementwise(Double)
    /// The whole array: `max |actual − expected| ≤ bound · max |expected|` — relative to the largest
    /// reference magnitude (so an all-zero reference must be matched exactly).
    case relativeToLargest(Double)

    public var description: String {
        switch self {
        case let .elementwise(bound): "elementwise \(bound)"
        case let .relativeToLargest(bound): "relative to the largest reference value \(bound)"
        }
    }

    /// The index of the element furthest outside the tolerance (a NaN difference counts as
    /// furthest) with its scaled error, or nil when every element is within.
    func worstViolation(_ actual: [Double], _ expected: [Double]) -> (index: Int, error: Double, bound: Double)? {
        let errors: [Double], bound: Double
        switch self {
        case let .elementwise(value):
            errors = zip(actual, expected).map { abs($0 - $1) / max(1, abs($1)) }
            bound = value
        case let .relativeToLargest(value):
            errors = zip(actual, expected).map { abs($0 - $1) }
            bound = value * expected.reduce(0) { max($0, abs($1)) }
        }
        var worst = 0.0, worstIndex = -1
        for (index, error) in errors.enumerated() where !(error <= worst) {
            worst = error
            worstIndex = index
        }
        guard worstIndex >= 0, !(worst <= bound) else { return nil }
        return (worstIndex, worst, bound)
    }
}

/// Asserts that `actual` has as many elements as `expected` and matches it within `tolerance`.
public func assertClose(_ actual: [Float], _ expected: [Double], _ message: String,
                        tolerance: Tolerance = .elementwise(1e-4), file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual.map(Double.init), expected, message, tolerance: tolerance, file: file, line: line)
}

/// Asserts that `actual` has as many elements as `expected` and matches it within `tolerance`.
public func assertClose(_ actual: [Double], _ expected: [Double], _ message: String,
                        tolerance: Tolerance = .elementwise(1e-4), file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(message): count", file: file, line: line)
    guard let violation = tolerance.worstViolation(actual, expected) else { return }
    let index = violation.index
    XCTFail("\(message): element \(index) is \(actual[index]), expected \(expected[index]) "
            + "(error \(violation.error) exceeds \(violation.bound); tolerance \(tolerance))", file: file, line: line)
}

extension Array where Element == Float {
    /// The values as Doubles (reference computations run in Double).
    public var doubles: [Double] { map(Double.init) }
}
