import Foundation

/// The mean softmax cross-entropy of `logits [N, C]` against integer `labels` (N of them),
/// with PyTorch's semantics for `classWeights` (`[C]`) and `labelSmoothing` (ε in [0, 1)):
///
/// the target of row i is `t_c = (1 - ε) w_{y_i} [c = y_i] + (ε / C) w_c`, its loss
/// `-Σ_c t_c log softmax(z_i)_c`, and the result is the sum of the row losses divided by
/// `Σ_i w_{y_i}` (with no weights, `w = 1` and that is N). Only `logits` get a gradient.
///
/// Labels outside `0..<C`, or mismatched shapes, stop with a message naming them.
public func softmaxCrossEntropy(logits: Tensor, labels: [Int], classWeights: Tensor? = nil,
                                labelSmoothing: Float = 0) -> Tensor {
    let operation = "softmaxCrossEntropy"
    guard logits.rank == 2, logits.shape[1] > 0 else {
        Tensor.fail(.invalidShape(operation: operation, shape: logits.shape, expected: "[batch, classes]"))
    }
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    guard labels.count == rows else {
        Tensor.fail(.shapeMismatch(operation: "\(operation) (logits, labels)", lhs: logits.shape, rhs: [labels.count]))
    }
    if let wrong = labels.first(where: { !(0..<classes).contains($0) }) {
        Tensor.fail(.invalidArgument(operation: operation, message: "label \(wrong) is outside 0..<\(classes)"))
    }
    if let classWeights, classWeights.shape != [classes] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) (logits, classWeights)", lhs: logits.shape, rhs: classWeights.shape))
    }
    guard labelSmoothing >= 0, labelSmoothing < 1 else {
        Tensor.fail(.invalidArgument(operation: operation, message: "label smoothing \(labelSmoothing) is outside [0, 1)"))
    }
    let weights = classWeights?.scalars ?? Array(repeating: 1, count: classes)
    let logProbabilities = Tensor.rowwiseSoftmax(logits, logarithmic: true, operation: operation)
    let smoothingShare = labelSmoothing / Float(classes)
    let weightSum = weights.reduce(0, +)
    let labelWeightTotal = labels.reduce(Float(0)) { $0 + weights[$1] }
    var total = 0.0
    logProbabilities.withUnsafeBufferPointer { logP in
        for (row, label) in labels.enumerated() {
            let rowLogP = logP.baseAddress! + row * classes
            var smoothed = 0.0
            for c in 0..<classes { smoothed += Double(weights[c] * rowLogP[c]) }
            total -= Double((1 - labelSmoothing) * weights[label] * rowLogP[label]) + Double(smoothingShare) * smoothed
        }
    }
    let loss = Tensor(Float(total / Double(labelWeightTotal)))
    guard Tensor.shouldRecord(logits) else { return loss }
    return loss.recording(operation, inputs: [logits]) { gradient in
        // d loss / d z_ic = (p_ic * T_i - t_ic) / Σ w_y,  T_i = Σ_c t_ic = (1 - ε) w_{y_i} + (ε / C) Σ_c w_c.
        let scale = gradient.scalar / labelWeightTotal
        let logitsGradient = Tensor(shape: [rows, classes]) { out in
            logProbabilities.withUnsafeBufferPointer { logP in
                for (row, label) in labels.enumerated() {
                    let targetTotal = (1 - labelSmoothing) * weights[label] + smoothingShare * weightSum
                    for c in 0..<classes {
                        let index = row * classes + c
                        let target = smoothingShare * weights[c] + (c == label ? (1 - labelSmoothing) * weights[label] : 0)
                        out[index] = (Foundation.exp(logP[index]) * targetTotal - target) * scale
                    }
                }
            }
        }
        return [logitsGradient]
    }
}

/// The L2 weight penalty `coefficient / 2 · Σ ||w||²` over the parameters that are not frozen
/// (its gradient with respect to each `w` is `coefficient · w`).
public func l2Penalty(_ parameters: [Parameter], coefficient: Float) -> Tensor {
    let terms = parameters.filter { !$0.isFrozen }.map { $0.value.squaredSum() }
    guard var total = terms.first else { return Tensor(0) }
    for term in terms.dropFirst() { total = total + term }
    return total * (coefficient / 2)
}
