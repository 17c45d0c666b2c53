import Foundation

/// Softmax and log-softmax along the last axis.
///
/// Each row is shifted by its maximum before exponentiation, so large logits do not overflow.

/// `exp(x) / sum(exp(x))` along the last axis.
public func softmax(_ x: Tensor) -> Tensor {
    let output = Tensor.rowwiseSoftmax(x, logarithmic: false, operation: "softmax")
    guard Tensor.shouldRecord(x) else { return output }
    return output.recording("softmax", inputs: [x]) { gradient in
        // dx = y * (g - sum(g * y))
        [Tensor.rowwise(gradient, output) { g, y, dx, columns in
            var dot: Float = 0
            for c in 0..<columns { dot += g[c] * y[c] }
            for c in 0..<columns { dx[c] = y[c] * (g[c] - dot) }
        }]
    }
}

/// `x - log(sum(exp(x)))` along the last axis.
public func logSoftmax(_ x: Tensor) -> Tensor {
    let output = Tensor.rowwiseSoftmax(x, logarithmic: true, operation: "logSoftmax")
    guard Tensor.shouldRecord(x) else { return output }
    return output.recording("logSoftmax", inputs: [x]) { gradient in
        // dx = g - exp(y) * sum(g)
        [Tensor.rowwise(gradient, output) { g, y, dx, columns in
            var total: Float = 0
            for c in 0..<columns { total += g[c] }
            for c in 0..<columns { dx[c] = g[c] - Foundation.exp(y[c]) * total }
        }]
    }
}

extension Tensor {
    /// Softmax (or its logarithm) of every row of the last axis, without recording.
    static func rowwiseSoftmax(_ x: Tensor, logarithmic: Bool, operation: String) -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] > 0 else {
            fail(.invalidShape(operation: operation, shape: x.shape, expected: "a non-empty last axis"))
        }
        return rowwise(x, x) { input, _, out, columns in
            var largest = input[0]
            for c in 1..<columns { largest = Swift.max(largest, input[c]) }
            var total: Float = 0
            for c in 0..<columns {
                let shifted = Foundation.exp(input[c] - largest)
                out[c] = shifted
                total += shifted
            }
            if logarithmic {
                let logTotal = Foundation.log(total) + largest
                for c in 0..<columns { out[c] = input[c] - logTotal }
            } else {
                let scale = 1 / total
                for c in 0..<columns { out[c] *= scale }
            }
        }
    }

    /// A new tensor of `a`'s shape whose rows along the last axis are written by
    /// `body(aRow, bRow, outputRow, columns)`; `b` has `a`'s shape. Rows run on both cores.
    static func rowwise(_ a: Tensor, _ b: Tensor,
                        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let output = Tensor(uninitializedShape: a.shape)
        let columns = a.shape.last ?? 1
        let rows = columns == 0 ? 0 : a.scalarCount / columns
        let x = a.storage.baseAddress, y = b.storage.baseAddress, z = output.storage.baseAddress
        withExtendedLifetime((a, b)) {
            Parallel.forEachChunk(count: rows, costPerItem: columns * 8) { range in
                for row in range { body(x + row * columns, y + row * columns, z + row * columns, columns) }
            }
        }
        return output
    }
}
