import Randomness

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
