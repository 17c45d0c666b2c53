// Serving benchmark: `leukemia serve`'s throughput and latency (p50/p95/p99) over loopback HTTP at
// 1, 8, 32 and 128 concurrent clients, with dynamic batching on (--max-batch 16) and off
// (--max-batch 1), for EfficientNet-Lite0 at 224x224, beside `model-benchmark`'s batch-16
// images/s for the same network measured in the same run. Bounded: each level stops after
// --requests requests or --seconds seconds. Checks: with batching, 32 clients reach >= 80 % of
// the model's batch-16 images/s; at 128 clients every request is answered 200 or 503.
// Build with `swift build -c release --product serve-benchmark --product model-benchmark`.
//
//   serve-benchmark [--run DIR] [--size 224] [--clients 1,8,32,128] [--requests 400] [--seconds 30]
//                   [--max-batch 16] [--batch-delay-ms 5] [--max-queue 64] [--model-benchmark PATH | --no-model-benchmark]
import BenchmarkSupport
import Evaluation
import Foundation
import Imaging
import LeukemiaServer
import Randomness
import TestSupport
import ToolkitSupport

do {
    let options = try ServeBenchmarkOptions(Array(CommandLine.arguments.dropFirst()))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-benchmark-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let load = { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }
    print("load average at start: \(load())")

    let baseline = try options.modelBenchmark.map { executable -> Double in
        FileHandle.standardError.write(Data("model-benchmark (efficientnet-lite0, batch 16, \(options.size)x\(options.size))...\n".utf8))
        return try ModelBaseline.imagesPerSecond(executable: executable, size: options.size)
    }
    if let baseline { print(String(format: "model-benchmark, efficientnet-lite0, batch 16: %.2f images/s", baseline)) }

    let run: URL
    if let given = options.run {
        run = URL(fileURLWithPath: given)
    } else {
        FileHandle.standardError.write(Data("training a throwaway efficientnet-lite0 run (1 epoch, random weights)...\n".utf8))
        run = try ThrowawayRun.train(size: options.size, in: folder)
    }
    var generator = SeededGenerator(seed: 8)
    let image = try ImageEncoder.jpeg(SyntheticSmears.image(classIndex: 2, size: options.size, generator: &generator), quality: 90)

    var rows: [[String]] = []
    var checks: [(String, Bool)] = []
    for batching in [true, false] {
        var configuration = ServerConfiguration(runs: [run])
        configuration.port = 0
        configuration.maxBatch = batching ? options.maxBatch : 1
        configuration.batchDelay = batching ? .microseconds(Int64(options.batchDelayMilliseconds * 1000)) : .zero
        configuration.maxQueue = options.maxQueue
        configuration.logDatabase = folder.appendingPathComponent("audit-\(batching ? "on" : "off").sqlite")
        let service = try LeukemiaService(configuration: configuration)
        let listening = DispatchSemaphore(value: 0)
        let port = PortBox()
        let serving = Task.detached {
            try await service.run(handlingSignals: false) { bound in
                port.set(bound)
                listening.signal()
            }
        }
        listening.wait()
        while (try? LoopbackHTTPClient.send("GET", port: port.value, path: "/readyz").status) != 200 { usleep(20_000) }
        let path = "/v1/models/\(run.lastPathComponent)/predict"
        for clients in options.clientLevels {
            FileHandle.standardError.write(Data("batching \(batching ? "on" : "off"), \(clients) clients...\n".utf8))
            let outcome = LoadLevel(clients: clients, requests: options.requests, seconds: options.seconds)
                .run(port: port.value, path: path, image: image)
            let statuses = outcome.statuses.keys.sorted().map { "\($0): \(outcome.statuses[$0]!)" }.joined(separator: ", ")
            rows.append([batching ? "on" : "off", "\(clients)", String(format: "%.2f", outcome.imagesPerSecond)]
                        + [0.5, 0.95, 0.99].map { String(format: "%.0f", outcome.percentile($0)) }
                        + [statuses, "\(outcome.failures.count)", "\(PeakMemory.residentKilobytes() / 1024)"])
            if batching, clients == 32, let baseline {
                checks.append((String(format: "batching, 32 clients: %.2f images/s >= 80 %% of %.2f (%.0f %%)", outcome.imagesPerSecond,
                                      baseline, 100 * outcome.imagesPerSecond / baseline), outcome.imagesPerSecond >= 0.8 * baseline))
            }
            if clients == 128 {
                checks.append(("batching \(batching ? "on" : "off"), 128 clients: every request answered 200 or 503"
                               + (outcome.failures.first.map { " (first failure: \($0))" } ?? ""), outcome.onlyOKOrShed))
            }
        }
        await service.shutDown()
        _ = await serving.result
    }
    print("")
    print(ReportTable(header: ["batching", "clients", "images/s", "p50 ms", "p95 ms", "p99 ms", "statuses", "no answer", "peak RSS MB"],
                      rows: rows).markdown, terminator: "")
    print("")
    for (check, passed) in checks { print("\(passed ? "PASS" : "FAIL"): \(check)") }
    print("load average at end: \(load())")
    if checks.contains(where: { !$0.1 }) { exit(1) }
} catch {
    FileHandle.standardError.write(Data("serve-benchmark: \(error)\n".utf8))
    exit(1)
}
