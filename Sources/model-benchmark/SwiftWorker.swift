import BenchmarkSupport
import Foundation
import LeukemiaKit
import ModelZoo
import NeuralNetworks
import Tensors
#if canImport(Glibc)
import Glibc
import ToolkitSupport
#endif

/// The Swift side of one model's comparison, run as a child process (so its peak memory is its
/// own): builds the network with seeded weights, optionally saves them for the Python workers,
/// writes the logits of the check input, then answers "run" and "quit" like `model_pytorch.py`,
/// and "profile" (one more batch, its `EpochProfile` table on standard error, "done" on standard output).
struct SwiftWorker {
    /// Which network runs, and in what precision.
    enum Mode: String {
        /// The optimized inference network (`InferenceNetwork`), FP32.
        case optimized
        /// The training graph in evaluation mode, FP32.
        case plain
        /// The optimized inference network with its convolutions in bf16.
        case optimizedBF16 = "optimized-bf16"
    }

    let network: NetworkDescription
    let mode: Mode
    let options: BenchmarkOptions
    let weightsURL: URL?
    let checkInputURL: URL
    let checkOutputURL: URL

    /// The worker's arguments after `--worker`.
    static func arguments(network: NetworkDescription, mode: Mode, weightsURL: URL?, checkInputURL: URL,
                          checkOutputURL: URL, options: BenchmarkOptions) -> [String] {
        ["--worker", network.name, mode.rawValue, weightsURL?.path ?? "-", checkInputURL.path,
         checkOutputURL.path, "--batch", "\(options.batch)", "--size", "\(options.size)",
         "--check-batch", "\(options.checkBatch)", "--seed", "\(options.seed)"]
    }

    /// Parses what `arguments(...)` produced (after `--worker`).
    init(workerArguments: [String]) throws {
        guard workerArguments.count >= 5, let mode = Mode(rawValue: workerArguments[1]) else {
            throw UsageError("--worker needs MODEL optimized|plain|optimized-bf16 WEIGHTS CHECK-INPUT CHECK-OUTPUT, got \(workerArguments)")
        }
        self.mode = mode
        weightsURL = workerArguments[2] == "-" ? nil : URL(fileURLWithPath: workerArguments[2])
        checkInputURL = URL(fileURLWithPath: workerArguments[3])
        checkOutputURL = URL(fileURLWithPath: workerArguments[4])
        options = try BenchmarkOptions(Array(workerArguments.dropFirst(5)))
        network = try BenchmarkOptions.network(named: workerArguments[0], size: options.size)
    }

    func serve() throws {
        let network = try self.network.makeNetwork(seed: options.seed)
        network.randomizeNormalizationForParityChecks(seed: options.seed &+ 1)
        network.eval()
        if let weightsURL { try saveWeights(of: network, to: weightsURL) }
        let forward: (Tensor) -> Tensor
        switch mode {
        case .optimized, .optimizedBF16:
            guard let fast = network.inferenceNetworkIfOptimizable() else {
                throw UsageError("\(self.network.name) has no optimized inference network")
            }
            let precision: ComputePrecision = mode == .optimizedBF16 ? .bf16 : .fp32
            forward = { x in ComputePrecision.$current.withValue(precision) { fast(x) } }
        case .plain:
            forward = { x in Tensor.withoutGradients { network(x) } }
        }
        let checkInput = try Tensor(shape: [options.checkBatch, options.size, options.size, 3],
                                    scalars: RawFloats.read(checkInputURL))
        try RawFloats.write(forward(checkInput), to: checkOutputURL)
        let images = CheckInput.images(batch: options.batch, size: options.size, seed: options.seed &+ 2)
        print("ready", self.network.name, mode.rawValue)
        fflush(stdout)
        while let command = Swift.readLine() {
            switch command {
            case "run":
                let start = DispatchTime.now().uptimeNanoseconds
                withExtendedLifetime(forward(images)) {}
                print(String(format: "%.6f", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            case "profile":
                let profile = EpochProfile.begin()
                withExtendedLifetime(forward(images)) {}
                let title = "one Swift inference batch of \(self.network.name) (\(mode.rawValue)), batch \(options.batch)"
                let table = profile.end(dataWait: nil).lines(title: title).joined(separator: "\n")
                FileHandle.standardError.write(Data((table + "\n").utf8))
                print("done")
            case "quit":
                print("{\"peak_rss_bytes\": \(PeakMemory.residentKilobytes() * 1024)}")
                fflush(stdout)
                return
            default:
                print("error: unknown command '\(command)'")
            }
            fflush(stdout)
        }
    }
}
