import Randomness
import XCTest

/// Seeded random Float values in [-1, 1).
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextUnitFloat() * 2 - 1 }
}

/// Central finite differences of `f` at `x` for every coordinate (step `h`).
func numericalGradient(at x: [Double], h: Double = 1e-4, _ f: ([Double]) -> Double) -> [Double] {
    var probe = x
    return (0..<x.count).map { i in
        probe[i] = x[i] + h
        let up = f(probe)
        probe[i] = x[i] - h
        let down = f(probe)
        probe[i] = x[i]
        return (up - down) / (2 * h)
    }
}

/// Sum of elementwise products (a scalar loss whose gradient with respect to `a` is `b`).
func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

extension Array where Element == Float {
    var doubles: [Double] { map(Double.init) }
}

/// Asserts `actual` matches `expected` elementwise within `tolerance * max(1, |expected|)`.
func assertClose(_ actual: [Float], _ expected: [Double], _ message: String, tolerance: Double = 1e-4,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(message): count", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let error = abs(Double(a) - e) / max(1, abs(e))
        if !(error <= worst) { worst = error; worstIndex = index }
    }
    if worstIndex >= 0, !(worst <= tolerance) {
        XCTFail("\(message): element \(worstIndex) is \(actual[worstIndex]), expected \(expected[worstIndex]) "
                + "(relative error \(worst))", file: file, line: line)
    }
}
