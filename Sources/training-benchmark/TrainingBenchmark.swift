// Training benchmark: full fine-tuning steps (forward in training mode, 4-class cross-entropy,
// backward through every parameter, Adam lr 1e-4) of the networks `leukemia train` trains,
// through the trainer's own `NetworkTrainingStep`, beside PyTorch/torchvision
// (scripts/benchmarks/training_pytorch.py) on the same machine in the same run.
// Build with `swift build -c release --product training-benchmark`; see
// scripts/benchmarks/TRAINING_BENCHMARK.md.
import ArgumentParser
import BenchmarkSupport
import Foundation
import ModelZoo
import Tensors

@main
struct TrainingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training-benchmark",
        abstract: "Images/s and peak memory of full fine-tuning steps, Swift engine beside PyTorch.",
        discussion: """
            Every measurement runs in a fresh child process (so its peak RSS is its own); Swift and PyTorch \
            children alternate round by round. A child times --iterations steps after one warm-up step and \
            reports their median; the table gives the median over rounds (the fastest round in parentheses).
            Speed (default): densenet201 and convnext-tiny at batch 16, 5 rounds of 3 steps.
            --memory: every trainable model at batch 32, one child of 1 step after the warm-up.
            """)

    @Flag(help: "Measure the peak memory of every trainable model at batch 32 instead of the speed.")
    var memory = false

    @Option(help: ArgumentHelp("Comma-separated models (default densenet201,convnext-tiny; all with --memory): "
                               + NetworkDescription.memoryDefaults.joined(separator: ", ") + ", or any other registry name"))
    var models: String?

    @Option(help: "Rounds (children per side and model); default 5, 1 with --memory.")
    var rounds: Int?

    @Option(help: "Timed steps per child after one warm-up step; default 3, 1 with --memory.")
    var iterations: Int?

    @Option(name: .customLong("batch-size"), help: "Images per step; default 16, 32 with --memory.")
    var batchSize: Int?

    @Option(help: ArgumentHelp("Comma-separated precisions: fp32, bf16 (Swift's --precision bf16 beside PyTorch's bf16 autocast; "
                               + "needs a CPU with native bf16).", valueName: "LIST"))
    var precisions = "fp32"

    @Option(help: ArgumentHelp("Child mode: the precision.", visibility: .hidden))
    var childPrecision: ComputePrecision = .fp32

    @Option(help: "Image size in pixels.")
    var size = 224

    @Option(help: "Threads of each child (OMP_NUM_THREADS, torch.set_num_threads).")
    var threads = 2

    @Option(help: "Seed of the weights, images and labels.")
    var seed: UInt64 = 1

    @Option(help: "Python with torch and torchvision ($PYTHON when set).")
    var python = ProcessInfo.processInfo.environment["PYTHON"] ?? "/work/venv-torch/bin/python"

    @Flag(name: .customLong("torch-channels-last"),
          help: "Run PyTorch's model and images in torch.channels_last (the same computation; PyTorch's default is NCHW-contiguous).")
    var torchChannelsLast = false

    @Flag(help: ArgumentHelp("In the last round, profile one more step of each child after its timed ones and print the table "
                             + "to standard error: the engine's operations (as `train --profile` does for an epoch) and "
                             + "torch.profiler's operators, for explaining a ratio; the timed steps are not profiled."))
    var profile = false

    @Flag(name: .customLong("no-python"), help: "Measure the Swift engine only.")
    var noPython = false

    @Option(help: "training_pytorch.py (default: the one in the source tree this executable was built from).")
    var script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/benchmarks/training_pytorch.py").path

    @Option(help: ArgumentHelp("Child mode: measure this model and print the report.", visibility: .hidden))
    var child: String?

    /// Swift children run as `leukemia` does (see `OpenMPSpinning`); the PyTorch children it
    /// starts keep libgomp's default, as a user's script would.
    static func main() {
        OpenMPSpinning.applyToThisProcess()
        main(nil)
    }

    func validate() throws {
        for (name, value) in [("rounds", rounds), ("iterations", iterations), ("batch-size", batchSize)] {
            if let value, value < 1 { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        }
        guard size >= 32 else { throw ValidationError("--size must be at least 32, got \(size)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        _ = try chosenModels()
        for precision in try chosenPrecisions() {
            if let needs = precision.unsupportedReason { throw ValidationError("--precisions \(precision.rawValue) needs \(needs)") }
        }
    }

    private func chosenPrecisions() throws -> [ComputePrecision] {
        try precisions.split(separator: ",").map { name in
            guard let precision = ComputePrecision(rawValue: String(name)) else {
                throw ValidationError("--precisions: \(name) is not fp32 or bf16")
            }
            return precision
        }
    }

    func run() throws {
        let batch = batchSize ?? (memory ? 32 : 16), steps = iterations ?? (memory ? 1 : 3)
        if let child {
            try SwiftTrainingChild.measure(try .benchmarked(child, size: size), batchSize: batch, iterations: steps, seed: seed,
                                           precision: childPrecision, profile: profile).print()
            return
        }
        let roundCount = rounds ?? (memory ? 1 : 5)
        print("full fine-tuning step, \(size)x\(size), batch \(batch), \(threads) threads; median of \(steps) steps "
              + "after a warm-up per child, median over \(roundCount) alternating rounds; PyTorch memory format "
              + (torchChannelsLast ? "channels_last" : "contiguous (NCHW)") + "; load average at start: \(Self.loadAverage())")
        fflush(stdout)
        var results: [ModelRuns] = []
        let precisions = try chosenPrecisions()
        for model in try chosenModels() {
            var runs = precisions.map { ModelRuns(model: model, precision: $0,
                                                  torch: noPython || model.pytorchBuilderName == nil ? nil : SideRuns()) }
            let common = ["--batch-size", "\(batch)", "--size", "\(size)", "--iterations", "\(steps)", "--seed", "\(seed)"]
            for round in 1...roundCount {
                for index in runs.indices {
                    let precision = runs[index].precision
                    let profiling = profile && round == roundCount ? ["--profile"] : []
                    runs[index].swift.run {
                        try ChildReport.fromChild(Self.executable, ["--child", model.name, "--child-precision", precision.rawValue]
                                                  + common + profiling,
                                                  environment: ["OMP_NUM_THREADS": "\(threads)"])
                    }
                    if let name = model.pytorchBuilderName {
                        runs[index].torch?.run {
                            try ChildReport.fromChild(python, [script, "--model", name, "--batch", "\(batch)", "--size", "\(size)",
                                                               "--iterations", "\(steps)", "--threads", "\(threads)", "--seed", "\(seed)"]
                                                          + (precision == .bf16 ? ["--autocast"] : [])
                                                          + (torchChannelsLast ? ["--channels-last"] : []) + profiling,
                                                      environment: ["OMP_NUM_THREADS": "\(threads)", "PYTHONWARNINGS": "ignore"])
                        }
                    }
                    let latest = [("Swift", runs[index].swift), ("PyTorch", runs[index].torch)].compactMap { side, runs in
                        runs?.reports.last.map { "\(side) \(String(format: "%.2f", $0.medianSeconds)) s/step" }
                    }
                    FileHandle.standardError.write(Data(
                        "\(model.name) \(precision.rawValue) round \(round): \(latest.joined(separator: ", "))\n".utf8))
                }
            }
            results += runs
        }
        print(ResultTable.render(results, batch: batch))
        print("load average at end: \(Self.loadAverage())")
    }

    /// The models to measure: --models, else the mode's default.
    private func chosenModels() throws -> [NetworkDescription] {
        let names = models.map { $0.split(separator: ",").map(String.init) }
            ?? (memory ? NetworkDescription.memoryDefaults : ["densenet201", "convnext-tiny"])
        return try names.map { try .benchmarked($0, size: size) }
    }

    /// This executable, for the Swift children.
    private static var executable: String { Bundle.main.executablePath ?? CommandLine.arguments[0] }

    /// The 1, 5 and 15 minute load averages.
    private static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

extension ComputePrecision: ExpressibleByArgument {}
