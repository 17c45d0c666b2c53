/// `residual + branch · channelScale[c] · sampleScales[n]` over NHWC activations `[n, h, w, c]`: the
/// tail of a ConvNeXt block (layer scale, stochastic depth's per-sample factor, residual add) as one
/// pass forward and one backward.
///
/// As three operations (`branch * scale`, `* mask`, `+ residual`) the forward pass makes two
/// intermediate tensors and reads or writes seven activation-sized streams, and the backward pass
/// five more in three element-wise passes and a broadcast sum; fused, three forward (branch and
/// residual read, output written) and three backward (gradient and branch read, the branch's
/// gradient written; the residual's gradient is the output's, passed on without a copy).
/// The forward pass computes `(branch · scale) · factor + residual` in that order, the float
/// operations of the unfused chain, so its output is bit for bit the same; the scale's gradient
/// sums `(dy · factor) · branch` in Float over blocks of `rowsPerBlock` rows, then in Double.
///
/// - Parameters:
///   - channelScale: `[c]`, ConvNeXt's `layer_scale` (a parameter: it gets a gradient).
///   - sampleScales: one factor per sample (`n`), as `StochasticDepth.sampleScales(batch:)` draws
///     them: 0 for a dropped sample, `1 / survival` for a kept one; nil for 1 (evaluation, no drops).
///     Constants: no gradient.
public func scaledResidualAdd(_ residual: Tensor, branch: Tensor, channelScale: Tensor, sampleScales: [Float]? = nil) -> Tensor {
    let operation = "scaledResidualAdd"
    residual.checkNHWC(operation)
    guard branch.shape == residual.shape else {
        Tensor.fail(.shapeMismatch(operation: operation, lhs: residual.shape, rhs: branch.shape))
    }
    let batch = residual.shape[0], channels = residual.shape[3]
    guard channelScale.shape == [channels] else {
        Tensor.fail(.shapeMismatch(operation: "\(operation) channel scale", lhs: [channels], rhs: channelScale.shape))
    }
    if let sampleScales, sampleScales.count != batch {
        Tensor.fail(.invalidArgument(operation: operation, message: "\(sampleScales.count) sample scales for a batch of \(batch)"))
    }
    let factors = sampleScales ?? [Float](repeating: 1, count: batch)
    let rows = residual.scalarCount / channels, rowsPerSample = rows / batch
    let output = Tensor(uninitializedShape: residual.shape)
    KernelProfile.measure(scaledResidualProfileCategory) {
        withExtendedLifetime((residual, branch, channelScale)) {
            let x = residual.kernelInput, b = branch.kernelInput, s = channelScale.kernelInput, y = output.kernelOutput
            factors.withUnsafeBufferPointer { factors in
                Parallel.forEachChunk(count: rows, costPerItem: channels) { range in
                    for row in range {
                        let factor = factors[row / rowsPerSample], offset = row * channels
                        let x = x + offset, b = b + offset, y = y + offset
                        for c in 0..<channels { y[c] = b[c] * s[c] * factor + x[c] }
                    }
                }
            }
        }
    }
    let inputs = [residual, branch, channelScale]
    guard Tensor.shouldRecord(inputs) else { return output }
    let needs = inputs.map(\.requiresGradient)
    let savedBranch = branch.detached(), savedScale = channelScale.detached()
    return output.recording(operation, inputs: inputs, accumulatingBackward: { gradient, sums in
        if needs[0] { Tensor.accumulate(gradient, into: &sums[0]) }
        guard needs[1] || needs[2] else { return }
        let gradBranch = needs[1] ? Tensor(uninitializedShape: savedBranch.shape) : nil
        let scaleSums = KernelProfile.measure(scaledResidualProfileCategory) {
            withExtendedLifetime((gradient, savedBranch, savedScale, gradBranch)) {
                let dy = gradient.kernelInput, b = savedBranch.kernelInput, s = savedScale.kernelInput
                let db = gradBranch?.kernelOutput
                return factors.withUnsafeBufferPointer { factors in
                    Parallel.blockedSums(count: channels, rows: rows, rowsPerBlock: scaledResidualRowsPerBlock,
                                         costPerRow: channels) { rows, block in
                        for row in rows {
                            let factor = factors[row / rowsPerSample], offset = row * channels
                            let dy = dy + offset, b = b + offset
                            if let db {
                                let db = db + offset
                                for c in 0..<channels {
                                    let g = dy[c] * factor
                                    db[c] = g * s[c]
                                    block[c] += g * b[c]
                                }
                            } else {
                                for c in 0..<channels { block[c] += dy[c] * factor * b[c] }
                            }
                        }
                    }
                }
            }
        }
        if let gradBranch { Tensor.accumulate(gradBranch, into: &sums[1]) }
        if needs[2] { Tensor.accumulate(Tensor(scaleSums.map { Float($0) }), into: &sums[2]) }
    })
}

/// The profile's category of both passes (`train --profile`).
private let scaledResidualProfileCategory = "scaled residual adds (Swift: layer scale, stochastic depth)"

/// Rows whose contributions to the scale's gradient are summed in Float before they go into Double.
private let scaledResidualRowsPerBlock = 64
