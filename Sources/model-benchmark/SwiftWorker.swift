import BenchmarkSupport
import Foundation
import ModelZoo
import NeuralNetworks
import Tensors
#if canImport(Glibc)
import Glibc
import ToolkitSupport
#endif

/// The Swift side of one model's comparison, run as a child process (so its peak memory is its
/// own): builds the network with seeded weights, optionally saves them for the Python workers,
/// writes the logits of the check input, then answers "run" and "quit" like `model_pytorch.py`.
struct SwiftWorker {
    let architecture: Architecture
    let optimized: Bool
    let options: BenchmarkOptions
    let weightsURL: URL?
    let checkInputURL: URL
    let checkOutputURL: URL

    /// The worker's arguments after `--worker`.
    static func arguments(architecture: Architecture, optimized: Bool, weightsURL: URL?, checkInputURL: URL,
                          checkOutputURL: URL, options: BenchmarkOptions) -> [String] {
        ["--worker", architecture.rawValue, optimized ? "optimized" : "plain", weightsURL?.path ?? "-", checkInputURL.path,
         checkOutputURL.path, "--batch", "\(options.batch)", "--size", "\(options.size)",
         "--check-batch", "\(options.checkBatch)", "--seed", "\(options.seed)"]
    }

    /// Parses what `arguments(...)` produced (after `--worker`).
    init(workerArguments: [String]) throws {
        guard workerArguments.count >= 5, let architecture = Architecture(rawValue: workerArguments[0]) else {
            throw UsageError("--worker needs MODEL optimized|plain WEIGHTS CHECK-INPUT CHECK-OUTPUT, got \(workerArguments)")
        }
        self.architecture = architecture
        optimized = workerArguments[1] == "optimized"
        weightsURL = workerArguments[2] == "-" ? nil : URL(fileURLWithPath: workerArguments[2])
        checkInputURL = URL(fileURLWithPath: workerArguments[3])
        checkOutputURL = URL(fileURLWithPath: workerArguments[4])
        options = try BenchmarkOptions(Array(workerArguments.dropFirst(5)))
    }

    func serve() throws {
        let network = try architecture.makeNetwork(seed: options.seed)
        network.randomizeNormalizationForParityChecks(seed: options.seed &+ 1)
        network.eval()
        if let weightsURL { try saveWeights(of: network, to: weightsURL) }
        let forward: (Tensor) -> Tensor
        if optimized {
            guard let fast = network.inferenceNetworkIfOptimizable() else {
                throw UsageError("\(architecture.rawValue) has no optimized inference network")
            }
            forward = { fast($0) }
        } else {
            forward = { x in Tensor.withoutGradients { network(x) } }
        }
        let checkInput = try Tensor(shape: [options.checkBatch, options.size, options.size, 3],
                                    scalars: RawFloats.read(checkInputURL))
        try RawFloats.write(forward(checkInput), to: checkOutputURL)
        let images = CheckInput.images(batch: options.batch, size: options.size, seed: options.seed &+ 2)
        print("ready", architecture.rawValue, optimized ? "optimized" : "plain")
        fflush(stdout)
        while let command = Swift.readLine() {
            switch command {
            case "run":
                let start = DispatchTime.now().uptimeNanoseconds
                withExtendedLifetime(forward(images)) {}
                print(String(format: "%.6f", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
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
