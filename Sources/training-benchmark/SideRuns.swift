import ModelZoo
import BenchmarkSupport
import Tensors

/// One side's (Swift's or PyTorch's) child reports for one model over the rounds, or why a child failed.
struct SideRuns {
    private(set) var reports: [ChildReport] = []
    /// The first failure (a killed or failing child); later rounds of this side are skipped.
    private(set) var failure: String?

    /// Runs `child` unless an earlier round failed, keeping its report or its error.
    mutating func run(_ child: () throws -> ChildReport) {
        guard failure == nil else { return }
        do {
            reports.append(try child())
        } catch {
            failure = "\(error)"
        }
    }

    /// Images per second of the median (over rounds) of the children's median step times.
    func imagesPerSecond(batch: Int) -> Double? {
        reports.isEmpty ? nil : Double(batch) / median(reports.map(\.medianSeconds))
    }

    /// Images per second of the fastest child's median step: the least disturbed on a loaded machine.
    func bestImagesPerSecond(batch: Int) -> Double? {
        reports.map(\.medianSeconds).min().map { Double(batch) / $0 }
    }

    /// The largest peak resident memory of the children, in MiB.
    var peakMebibytes: Double? {
        reports.map(\.peakRSSKilobytes).max().map { Double($0) / 1024 }
    }
}

/// Both sides' runs of one model in one precision (PyTorch's bf16 is `torch.autocast`).
struct ModelRuns {
    let model: NetworkDescription
    let precision: ComputePrecision
    var swift = SideRuns()
    /// Nil when PyTorch is not run for this model.
    var torch: SideRuns?
}
