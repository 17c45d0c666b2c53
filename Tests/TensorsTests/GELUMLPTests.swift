@testable import Tensors
import Foundation
import XCTest

/// `geluMLP` (ConvNeXt's block MLP as one operation) against a Double reference written out here:
/// in FP32 within FP32's rounding, and under bf16 (on a CPU with native bf16) within a bound derived
/// from bf16's 8-bit significand, for the output and all five gradients of `sum(y · r)`.
///
/// The bf16 bound, element by element, u = 2^-8 (first order in u; products of u terms are covered by
/// rounding each constant up). With `A = |x|·|W₁|ᵀ + |b₁|` (per hidden value) and `G = |r|·|W₂|`:
/// - hidden pre-activation: inputs rounded (2u of each product) and the output rounded (u): `3u·A`;
/// - GELU: its slope is at most 1.13 and its output is rounded (u, of |gelu(h)| <= |h| <= A):
///   `(1.13·3 + 1)u·A < 4.5u·A`;
/// - output: `Σ|W₂|·4.5u·A` plus W₂'s rounding (u of `Σ|W₂|·A`): `5.5u·(A·|W₂|ᵀ)`;
/// - projecting weight gradient: `rᵀ·â` with r rounded (u) and â off by 4.5u·A: `5.5u·(|r|ᵀ·A)`;
/// - hidden gradient `dA = r·W₂`, accumulated in FP32 from r and W₂ rounded: `2u·G`; times GELU's
///   slope (<= 1.13), stored in bf16 by the forward pass (u of it) and whose own change is at most
///   0.8 times the pre-activation's error (GELU's curvature is at most 2φ(0) < 0.8), the product
///   rounded once (u): `E = (1.13·2 + 1.13 + 1.13)u·G + 0.8·3u·A·G < u·G·(4.6 + 2.4·A)`;
/// - input gradient `dH·W₁`: `(E + 1.13u·G)·|W₁|`; expanding weight gradient `dHᵀ·x`:
///   `(E + 2.3u·G)ᵀ·|x|`; expanding bias gradient: the column sums of `E`.
/// Then `+ K·2^-24` of the same absolute sums for FP32 accumulation over K terms, and 1e-6 of them
/// for the approximations of erf and exp (oneDNN's in the FP32 path, `BFloat16GELU`'s in bf16). The FP32 path is held to 1e-4 of the absolute sums: a wiring mistake (a weight
/// not transposed, a bias missing, gradients swapped) is off by the order of the values.
final class GELUMLPTests: XCTestCase {
    private let (rows, inFeatures, hidden, outFeatures) = (37, 24, 96, 20)

    /// Output and gradients: `y`, then x, expand weight, expand bias, project weight, project bias.
    private typealias Values = [[Double]]

    /// x, the expanding weight and bias, the projecting weight and bias.
    private var arguments: [Tensor] {
        [randomTensor([rows, inFeatures], seed: 1), randomTensor([hidden, inFeatures], seed: 2, standardDeviation: 0.3),
         randomTensor([hidden], seed: 3), randomTensor([outFeatures, hidden], seed: 4, standardDeviation: 0.2),
         randomTensor([outFeatures], seed: 5)]
    }

    private func geluMLPValues(precision: ComputePrecision) -> Values {
        let parameters = arguments.map { $0.requiringGradient() }
        let y = ComputePrecision.$current.withValue(precision) {
            geluMLP(parameters[0], expandWeight: parameters[1], expandBias: parameters[2], projectWeight: parameters[3],
                    projectBias: parameters[4])
        }
        (y * randomTensor([rows, outFeatures], seed: 6)).sum().backward()
        return [y.scalars.map(Double.init)] + parameters.map { $0.gradient!.scalars.map(Double.init) }
    }

    /// The Double reference, and the absolute sums each bound scales (same order as `Values`).
    private func reference() -> (exact: Values, bound: Values, fp32Bound: Values) {
        func values(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }
        let x = values(randomTensor([rows, inFeatures], seed: 1)), w1 = values(randomTensor([hidden, inFeatures], seed: 2, standardDeviation: 0.3))
        let b1 = values(randomTensor([hidden], seed: 3)), w2 = values(randomTensor([outFeatures, hidden], seed: 4, standardDeviation: 0.2))
        let b2 = values(randomTensor([outFeatures], seed: 5)), r = values(randomTensor([rows, outFeatures], seed: 6))
        let u = 1.0 / 256, accumulation = 0x1p-24 * Double(max(rows, inFeatures, hidden, outFeatures)) + 1e-6
        var a = [Double](repeating: 0, count: rows * hidden), dH = a
        var absA = a, absG = a, e = a
        for i in 0..<rows {
            for j in 0..<hidden {
                var sum = b1[j], absolute = abs(b1[j])
                for k in 0..<inFeatures { sum += x[i * inFeatures + k] * w1[j * inFeatures + k]; absolute += abs(x[i * inFeatures + k] * w1[j * inFeatures + k]) }
                absA[i * hidden + j] = absolute
                a[i * hidden + j] = sum * 0.5 * (1 + erf(sum / 2.0.squareRoot()))
                var gradient = 0.0, absoluteGradient = 0.0
                for o in 0..<outFeatures { gradient += r[i * outFeatures + o] * w2[o * hidden + j]; absoluteGradient += abs(r[i * outFeatures + o] * w2[o * hidden + j]) }
                absG[i * hidden + j] = absoluteGradient
                let slope = 0.5 * (1 + erf(sum / 2.0.squareRoot())) + sum * exp(-sum * sum / 2) / (2 * Double.pi).squareRoot()
                dH[i * hidden + j] = gradient * slope
                e[i * hidden + j] = u * absoluteGradient * (4.6 + 2.4 * absolute)
            }
        }
        var exact = Values(repeating: [], count: 6), bound = exact, fp32Bound = exact
        func add(_ slot: Int, _ value: Double, _ bf16: Double, _ absolute: Double) {
            exact[slot].append(value); bound[slot].append(bf16 + accumulation * absolute); fp32Bound[slot].append(1e-4 * absolute + 1e-7)
        }
        for i in 0..<rows {   // y
            for o in 0..<outFeatures {
                var sum = b2[o], absolute = abs(b2[o]), bf16 = 0.0
                for j in 0..<hidden { sum += a[i * hidden + j] * w2[o * hidden + j]; absolute += abs(a[i * hidden + j] * w2[o * hidden + j]); bf16 += 5.5 * u * absA[i * hidden + j] * abs(w2[o * hidden + j]) }
                add(0, sum, bf16, absolute)
            }
        }
        // A sum of dH · f over (hidden value, factor) pairs: |dH| <= 1.13·G, and the bf16 bound adds
        // the factor's rounding (`rounding`·u·G) to dH's own error E.
        func throughHiddenGradient(_ pairs: [(hidden: Int, factor: Double)], rounding: Double) -> (Double, Double, Double) {
            var sum = 0.0, absolute = 0.0, bf16 = 0.0
            for (h, factor) in pairs {
                sum += dH[h] * factor; absolute += 1.13 * absG[h] * abs(factor)
                bf16 += (e[h] + rounding * u * absG[h]) * abs(factor)
            }
            return (sum, bf16, absolute)
        }
        for i in 0..<rows {   // dL/dx = dH · W₁
            for k in 0..<inFeatures {
                let (sum, bf16, absolute) = throughHiddenGradient((0..<hidden).map { (i * hidden + $0, w1[$0 * inFeatures + k]) },
                                                                  rounding: 1.13)
                add(1, sum, bf16, absolute)
            }
        }
        for j in 0..<hidden {   // dL/dW₁ = dHᵀ · x
            for k in 0..<inFeatures {
                let (sum, bf16, absolute) = throughHiddenGradient((0..<rows).map { ($0 * hidden + j, x[$0 * inFeatures + k]) },
                                                                  rounding: 2.3)
                add(2, sum, bf16, absolute)
            }
        }
        for j in 0..<hidden {   // dL/db₁ = Σ dH
            var sum = 0.0, absolute = 0.0, bf16 = 0.0
            for i in 0..<rows { sum += dH[i * hidden + j]; absolute += 1.13 * absG[i * hidden + j]; bf16 += e[i * hidden + j] }
            add(3, sum, bf16, absolute)
        }
        for o in 0..<outFeatures {   // dL/dW₂ = rᵀ · a
            for j in 0..<hidden {
                var sum = 0.0, absolute = 0.0, bf16 = 0.0
                for i in 0..<rows {
                    sum += r[i * outFeatures + o] * a[i * hidden + j]; absolute += abs(r[i * outFeatures + o]) * absA[i * hidden + j]
                    bf16 += 5.5 * u * abs(r[i * outFeatures + o]) * absA[i * hidden + j]
                }
                add(4, sum, bf16, absolute)
            }
        }
        for o in 0..<outFeatures {   // dL/db₂ = Σ r
            var sum = 0.0, absolute = 0.0
            for i in 0..<rows { sum += r[i * outFeatures + o]; absolute += abs(r[i * outFeatures + o]) }
            add(5, sum, 0, absolute)
        }
        return (exact, bound, fp32Bound)
    }

    private static let names = ["output", "input gradient", "expand weight gradient", "expand bias gradient",
                                "project weight gradient", "project bias gradient"]

    /// Asserts every value within its bound; returns the largest difference of each of the six.
    @discardableResult
    private func assertWithin(_ computed: Values, _ exact: Values, _ bound: Values, _ label: String,
                              file: StaticString = #filePath, line: UInt = #line) -> [Double] {
        var largest = [Double](repeating: 0, count: 6)
        for slot in 0..<6 {
            XCTAssertEqual(computed[slot].count, exact[slot].count, "\(label) \(Self.names[slot])", file: file, line: line)
            var worst = 0.0
            for (index, value) in computed[slot].enumerated() where index < exact[slot].count {
                let difference = abs(value - exact[slot][index])
                largest[slot] = max(largest[slot], difference)
                worst = max(worst, difference / bound[slot][index])
            }
            XCTAssertLessThanOrEqual(worst, 1, "\(label) \(Self.names[slot]): a difference reaches \(worst) times its bound",
                                     file: file, line: line)
        }
        return largest
    }

    func testGELUMLPInFP32IsTheDoubleReferenceWithinFP32Rounding() {
        let (exact, _, fp32Bound) = reference()
        assertWithin(geluMLPValues(precision: .fp32), exact, fp32Bound, "FP32")
    }

    func testGELUMLPInBF16StaysWithinItsBoundAndKeepsItsHiddenValuesInBF16() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        try PrimitiveImplementations.reset()
        let (exact, bound, _) = reference()
        let largest = assertWithin(geluMLPValues(precision: .bf16), exact, bound, "bf16")
        for slot in 0..<5 {   // bf16 really ran (the projecting bias gradient sums FP32 r either way)
            XCTAssertGreaterThan(largest[slot], 1e-4, "\(Self.names[slot]): bf16 gave the FP32 result")
        }
        let recorded = PrimitiveImplementations.recorded
        for kind in ["matrix product \(rows)x\(inFeatures) · \(inFeatures)x\(hidden) (b transposed) + bias in bf16 to bf16",
                     "matrix product \(rows)x\(outFeatures) · \(outFeatures)x\(hidden) times bf16 factors in bf16 to bf16"] {
            XCTAssertTrue(recorded.contains { $0.primitive == kind }, "\(kind) did not run: \(recorded.map(\.primitive))")
        }
        for entry in recorded { XCTAssertFalse(entry.implementation.hasPrefix("ref"), "\(entry.primitive) runs \(entry.implementation)") }
    }

    /// Nothing recorded (inference), the GELU is oneDNN's instead of `BFloat16GELU`: the output stays
    /// within the same bound.
    func testGELUMLPInBF16WithoutGradientsStaysWithinItsBound() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        try PrimitiveImplementations.reset()
        let (exact, bound, _) = reference()
        let a = arguments
        let y = ComputePrecision.$current.withValue(.bf16) {
            geluMLP(a[0], expandWeight: a[1], expandBias: a[2], projectWeight: a[3], projectBias: a[4])
        }
        let worst = zip(y.scalars, zip(exact[0], bound[0])).map { abs(Double($0) - $1.0) / $1.1 }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1, "bf16 output without gradients: a difference reaches \(worst) times its bound")
        XCTAssertTrue(PrimitiveImplementations.recorded.contains { $0.primitive == "gelu forward over \(rows * hidden) bf16 values" },
                      "oneDNN's bf16 GELU did not run: \(PrimitiveImplementations.recorded.map(\.primitive))")
    }
}
