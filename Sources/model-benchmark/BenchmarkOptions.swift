import BenchmarkSupport
import Foundation
import ModelZoo

/// The settings shared by the coordinating process and its Swift workers.
struct BenchmarkOptions {
    /// The networks to compare (`network(named:size:)`), at `size` x `size` pixels.
    var networks = [Architecture.densenet201, .convnextTiny, .vgg16, .efficientnetLite0].map {
        NetworkDescription($0, classCount: BenchmarkOptions.classCount)
    }
    var runs = 5
    var warmupRuns = 1
    var batch = 16
    var size = 224
    var checkBatch = 2
    var threads = 2
    var python: String? = "/work/venv-torch/bin/python"
    /// model_pytorch.py; by default the one in the source tree this executable was built from.
    var script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/benchmarks/model_pytorch.py").path
    var includeUnoptimized = false
    /// Also time the optimized network with its convolutions in bf16 (`ComputePrecision.bf16`).
    var includeBF16 = false
    var channelsLast = false
    var seed: UInt64 = 1
    /// Pause before every timed run, so that no other side's threads still hold a core.
    var settleSeconds = 0.5
    /// After the timed runs, profile one more batch of each Swift side (`EpochProfile`, what
    /// `train --profile` prints for an epoch) and print its table to standard error.
    var profile = false

    /// Parses `arguments` (without the program name); `--worker` arguments are left to `SwiftWorker`.
    init(_ arguments: [String]) throws {
        var remaining = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = remaining.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String, minimum: Int) throws -> Int {
            let text = try value(flag)
            guard let parsed = Int(text), parsed >= minimum else {
                throw UsageError("\(flag) must be an integer >= \(minimum), got '\(text)'")
            }
            return parsed
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--models":
                networks = try value(flag).split(separator: ",").map { try Self.network(named: String($0), size: size) }
            case "--runs": runs = try number(flag, minimum: 1)
            case "--warmup": warmupRuns = try number(flag, minimum: 0)
            case "--batch": batch = try number(flag, minimum: 1)
            case "--size": size = try number(flag, minimum: 32)
            case "--check-batch": checkBatch = try number(flag, minimum: 1)
            case "--threads": threads = try number(flag, minimum: 1)
            case "--seed": seed = UInt64(try number(flag, minimum: 0))
            case "--settle":
                let text = try value(flag)
                guard let seconds = Double(text), seconds >= 0 else {
                    throw UsageError("--settle must be a number of seconds >= 0, got '\(text)'")
                }
                settleSeconds = seconds
            case "--python": python = try value(flag)
            case "--no-python": python = nil
            case "--script": script = try value(flag)
            case "--unoptimized": includeUnoptimized = true
            case "--bf16": includeBF16 = true
            case "--channels-last": channelsLast = true
            case "--profile": profile = true
            default: throw UsageError("unknown argument '\(flag)'\n\(Self.usage)")
            }
        }
        for index in networks.indices { networks[index].inputSize = size }
    }

    /// Every network has ImageNet's 1000 classes, as the references do.
    static let classCount = 1000

    /// The network named as `NetworkDescription.name` spells it (an architecture, or
    /// `hybrid-VARIANT/BACKBONE`), at `size` x `size` pixels.
    /// - Throws: `UsageError` naming an unknown model.
    static func network(named name: String, size: Int) throws -> NetworkDescription {
        do {
            return try NetworkDescription(name: name, classCount: classCount, inputSize: size)
        } catch {
            throw UsageError("unknown model '\(name)': \(error)")
        }
    }

    static let usage = """
        usage: model-benchmark [--models a,b] [--runs N] [--warmup N] [--batch N] [--size N] [--threads N]
                               [--python PATH | --no-python] [--script model_pytorch.py] [--unoptimized] [--bf16] [--channels-last] [--seed N]
                               [--settle SECONDS (pause before each timed run, default 0.5)]
                               [--profile (after the timed runs, one more Swift batch per side, profiled by operation)]
        models: \(Architecture.backbones.map(\.rawValue).joined(separator: ", ")),
                hybrid-VARIANT/BACKBONE (VARIANT: \(HybridNetwork.Variant.allCases.map(\.rawValue).joined(separator: " or ")); the Python
                sides have efficientnet-lite0 and DenseNet backbones)
        """
}
