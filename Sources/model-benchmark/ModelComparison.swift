import BenchmarkSupport
import Foundation
import ModelZoo

/// One side's figures for one model.
struct SideResult {
    let name: String
    let medianSeconds: Double
    /// The fastest run, less affected than the median by other processes on a loaded machine.
    let bestSeconds: Double
    let batch: Int
    let peakRSSBytes: Int

    /// Images per second of the median run.
    var imagesPerSecond: Double { Double(batch) / medianSeconds }
    /// Images per second of the fastest run.
    var bestImagesPerSecond: Double { Double(batch) / bestSeconds }
}

/// The figures of one model: each side's speed and memory, and the logit differences.
struct ModelResult {
    let network: NetworkDescription
    let sides: [SideResult]
    /// Largest |Swift − other| over the largest |other| logit, per compared side ("PyTorch", "Swift plain").
    let logitDifferences: [(against: String, relative: Double)]

    func side(_ name: String) -> SideResult? { sides.first { $0.name == name } }
}

/// Runs one model on every side, interleaving the timed runs (Swift, [Swift plain,] PyTorch,
/// onnxruntime, Swift, ...) so that machine noise hits all sides alike.
struct ModelComparison {
    let network: NetworkDescription
    let options: BenchmarkOptions
    let directory: URL

    static let swiftName = "Swift", plainName = "Swift plain", bf16Name = "Swift bf16", torchName = "PyTorch", onnxName = "onnxruntime"

    func run() throws -> ModelResult {
        let stem = network.name.replacingOccurrences(of: "/", with: "+")
        let weightsURL = directory.appendingPathComponent("\(stem).safetensors")
        let checkInputURL = directory.appendingPathComponent("\(stem)-input.f32")
        let checkInput = CheckInput.images(batch: options.checkBatch, size: options.size, seed: options.seed &+ 3)
        try RawFloats.write(checkInput, to: checkInputURL)
        func logitsURL(_ side: String) -> URL {
            directory.appendingPathComponent("\(stem)-\(side.replacingOccurrences(of: " ", with: "-"))-logits.f32")
        }
        let executable = CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0]
            : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
        let threadEnvironment = ["OMP_NUM_THREADS": "\(options.threads)"]

        var workers: [LineWorker] = [], swiftWorkers: [LineWorker] = []
        func startSwift(_ name: String, mode: SwiftWorker.Mode, savingWeights: Bool) throws {
            let worker = try LineWorker(
                name: "\(name) \(network.name)", executable: executable,
                arguments: SwiftWorker.arguments(network: network, mode: mode,
                                                 weightsURL: savingWeights ? weightsURL : nil, checkInputURL: checkInputURL,
                                                 checkOutputURL: logitsURL(name), options: options),
                environment: threadEnvironment)
            _ = try worker.waitUntilReady()
            workers.append(worker)
            swiftWorkers.append(worker)
        }
        try startSwift(Self.swiftName, mode: .optimized, savingWeights: true)
        if options.includeUnoptimized { try startSwift(Self.plainName, mode: .plain, savingWeights: false) }
        if options.includeBF16 { try startSwift(Self.bf16Name, mode: .optimizedBF16, savingWeights: false) }
        // The references build torchvision's networks, EfficientNet-Lite0 and (hybrid_pytorch.py)
        // the hybrid on EfficientNet-Lite0 or a DenseNet, by its full name.
        if let python = options.python {
            for (name, backend) in [(Self.torchName, "torch"), (Self.onnxName, "ort")] {
                let reference = network.architecture == .hybrid ? network.name : network.architecture.referenceName
                var arguments = [options.script, "--model", reference, "--backend", backend,
                                 "--weights", weightsURL.path, "--batch", "\(options.batch)", "--size", "\(options.size)",
                                 "--threads", "\(options.threads)", "--check-input", checkInputURL.path,
                                 "--check-batch", "\(options.checkBatch)", "--check-output", logitsURL(name).path]
                if options.channelsLast { arguments.append("--channels-last") }
                let worker = try LineWorker(name: "\(name) \(network.name)", executable: python,
                                            arguments: arguments,
                                            environment: threadEnvironment.merging(["PYTHONWARNINGS": "ignore"]) { $1 })
                let description = try worker.waitUntilReady()
                FileHandle.standardError.write(Data("  \(name): \(description)\n".utf8))
                workers.append(worker)
            }
        }
        for worker in workers {
            for _ in 0..<options.warmupRuns { _ = try worker.timedRun() }
        }
        var times = [[Double]](repeating: [], count: workers.count)
        for round in 0..<options.runs {
            for (index, worker) in workers.enumerated() {
                // onnxruntime's pool threads spin for a while after a run (its default), which slowed
                // the side timed right after it by ~5%: let the cores settle before every timed run.
                Thread.sleep(forTimeInterval: options.settleSeconds)
                times[index].append(try worker.timedRun())
            }
            let line = zip(workers, times).map { "\($0.name) \(String(format: "%.3f", $1[round])) s" }
            FileHandle.standardError.write(Data("  run \(round + 1): \(line.joined(separator: ", "))\n".utf8))
        }
        if options.profile {
            for worker in swiftWorkers { try worker.profileOneRun() }
        }
        let sides = try zip(workers, times).map { worker, seconds in
            let median = BenchmarkSupport.median(seconds)
            return SideResult(name: worker.name.components(separatedBy: " \(network.name)")[0], medianSeconds: median,
                              bestSeconds: seconds.min() ?? median, batch: options.batch, peakRSSBytes: try worker.quit())
        }
        let swiftLogits = try RawFloats.read(logitsURL(Self.swiftName))
        var differences: [(String, Double)] = []
        for other in [Self.torchName, Self.onnxName, Self.plainName, Self.bf16Name] where sides.contains(where: { $0.name == other }) {
            differences.append((other, try Self.relativeDifference(swiftLogits, RawFloats.read(logitsURL(other)), other)))
        }
        return ModelResult(network: network, sides: sides, logitDifferences: differences)
    }

    /// max |a − b| / max |b|.
    static func relativeDifference(_ a: [Float], _ b: [Float], _ side: String) throws -> Double {
        guard a.count == b.count, !b.isEmpty else {
            throw UsageError("\(side) wrote \(b.count) logits, Swift \(a.count)")
        }
        let largest = b.reduce(0) { max($0, abs(Double($1))) }
        let difference = zip(a, b).reduce(0) { max($0, abs(Double($1.0) - Double($1.1))) }
        return difference / max(largest, .leastNormalMagnitude)
    }
}
