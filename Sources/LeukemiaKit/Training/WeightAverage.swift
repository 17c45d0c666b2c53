import NeuralNetworks
import WeightFiles

/// The running mean of a layer's state dict (parameters and buffers) over the ends of the epochs
/// from `firstEpoch` on: weight averaging (`train --average-from`; Izmailov et al., "Averaging
/// Weights Leads to Wider Optima and Better Generalization", 2018). The batch normalizations'
/// running statistics are averaged too; with `--recompute-batch-norm` they are recomputed for
/// the averaged weights before these are scored.
///
/// Each epoch's values are folded in as `mean += (value - mean) / count` in `Float`, in epoch
/// order, so a resumed run (whose checkpoint holds `mean`) ends with the same bits as an
/// uninterrupted one.
struct WeightAverage {
    /// The first epoch (1-based) whose weights enter the mean.
    let firstEpoch: Int
    /// The mean so far, by state-dict key; empty before `firstEpoch` (a checkpoint then stores
    /// no average, and restores none).
    private(set) var mean: StateDict = [:]
    /// Epochs in the mean.
    private(set) var count = 0

    init(firstEpoch: Int) {
        self.firstEpoch = firstEpoch
    }

    /// The average after `epoch` restored from a checkpoint's `saved` mean.
    /// - Throws: `CNNTrainingError.corruptCheckpoint` naming `checkpoint` when the mean is missing
    ///   although `epoch` is past `firstEpoch`, or present although it is not.
    init(firstEpoch: Int, restoring saved: StateDict?, afterEpoch epoch: Int, checkpoint: String) throws {
        self.init(firstEpoch: firstEpoch)
        let expected = max(0, epoch - firstEpoch + 1)
        guard (saved == nil) == (expected == 0) else {
            throw CNNTrainingError.corruptCheckpoint(checkpoint, reason: saved == nil
                ? "no weight average although epochs \(firstEpoch)–\(epoch) were averaged"
                : "a weight average although averaging starts at epoch \(firstEpoch)")
        }
        mean = saved ?? [:]
        count = expected
    }

    /// The epochs in the mean, e.g. 7...12; nil while it is empty.
    var epochs: ClosedRange<Int>? { count > 0 ? firstEpoch...(firstEpoch + count - 1) : nil }

    /// Folds `layer`'s state at the end of `epoch` into the mean (epochs before `firstEpoch` are
    /// ignored).
    mutating func add(_ layer: any Layer, afterEpoch epoch: Int) {
        guard epoch >= firstEpoch else { return }
        let state = layer.stateDict()
        count += 1
        guard count > 1 else {
            mean = state
            return
        }
        let divisor = Float(count)
        for (key, array) in state {
            guard var average = mean[key]?.values else { continue }
            array.values.withUnsafeBufferPointer { values in
                for index in average.indices { average[index] += (values[index] - average[index]) / divisor }
            }
            mean[key] = NamedArray(shape: array.shape, values: average)
        }
    }
}
