// Model benchmark: inference images/s of the full-size zoo networks (batch 16, 224x224, 2 threads)
// beside PyTorch and onnxruntime (scripts/benchmarks/model_pytorch.py) on the same machine, with
// the timed runs interleaved (Swift, PyTorch, onnxruntime, Swift, ...), the median of --runs runs
// (the fastest run in parentheses: on a machine shared with other jobs it is the least disturbed),
// each side's peak RSS (each side is its own process), and a full-size logits check: all sides
// load the same seeded weights (batch norms and layer scales randomized, saved by the Swift worker
// as safetensors) and the largest relative logit difference is printed (target < 1e-3).
// Build with `swift build -c release --product model-benchmark`.
//
//   model-benchmark [--models densenet201,convnext-tiny,hybrid-light/efficientnet-lite0,...] [--runs N] [--warmup N] [--unoptimized]
//                   [--python PATH | --no-python] [--script PATH] [--channels-last] [--batch N] [--size N] [--threads N]
import Foundation
import Tensors

OpenMPSpinning.applyToThisProcess()  // as `leukemia` runs: see OpenMPSpinning
do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--worker" {
        try SwiftWorker(workerArguments: Array(arguments.dropFirst())).serve()
    } else {
        let options = try BenchmarkOptions(arguments)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("model-benchmark-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let loadBefore = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        print("batch \(options.batch), \(options.size)x\(options.size), \(options.threads) threads, median of \(options.runs) runs "
              + "after \(options.warmupRuns) warm-up; load average at start: \(loadBefore.split(separator: " ").prefix(3).joined(separator: " "))")
        var results: [ModelResult] = []
        for network in options.networks {
            FileHandle.standardError.write(Data("\(network.name):\n".utf8))
            results.append(try ModelComparison(network: network, options: options, directory: directory).run())
        }
        var sideNames = [ModelComparison.swiftName]
        if options.includeUnoptimized { sideNames.append(ModelComparison.plainName) }
        if options.includeBF16 { sideNames.append(ModelComparison.bf16Name) }
        if options.python != nil { sideNames += [ModelComparison.torchName, ModelComparison.onnxName] }
        print(ResultTable.render(results, sideNames: sideNames))
        let loadAfter = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        print("load average at end: \(loadAfter.split(separator: " ").prefix(3).joined(separator: " "))")
    }
} catch {
    FileHandle.standardError.write(Data("model-benchmark: \(error)\n".utf8))
    exit(1)
}
