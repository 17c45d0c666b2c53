import BenchmarkSupport
import Foundation

/// The command line of `serve-benchmark`.
struct ServeBenchmarkOptions {
    /// A trained run to serve; nil trains a throwaway EfficientNet-Lite0 run (random weights, one
    /// epoch on synthetic smears: the speed, not the accuracy, is measured).
    var run: String?
    var size = 224
    var clientLevels = [1, 8, 32, 128]
    /// Requests per level at most...
    var requests = 400
    /// ...and seconds per level at most.
    var seconds = 30.0
    var maxBatch = 16
    var batchDelayMilliseconds = 5.0
    var maxQueue = 64
    /// The `model-benchmark` executable (default: beside this one); nil skips the baseline.
    var modelBenchmark: String? = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("model-benchmark").path

    static let usage = """
        usage: serve-benchmark [--run DIR] [--size 224] [--clients 1,8,32,128] [--requests 400] [--seconds 30]
                               [--max-batch 16] [--batch-delay-ms 5] [--max-queue 64] [--model-benchmark PATH | --no-model-benchmark]
        """

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value\n\(Self.usage)") }
            return next
        }
        func number(_ flag: String, minimum: Double) throws -> Double {
            let text = try value(flag)
            guard let number = Double(text), number >= minimum else {
                throw UsageError("\(flag) must be a number >= \(minimum), got '\(text)'")
            }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--run": run = try value(flag)
            case "--size": size = Int(try number(flag, minimum: 32))
            case "--clients":
                let text = try value(flag)
                clientLevels = text.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
                guard !clientLevels.isEmpty else { throw UsageError("--clients must list positive numbers, got '\(text)'") }
            case "--requests": requests = Int(try number(flag, minimum: 1))
            case "--seconds": seconds = try number(flag, minimum: 0.1)
            case "--max-batch": maxBatch = Int(try number(flag, minimum: 1))
            case "--batch-delay-ms": batchDelayMilliseconds = try number(flag, minimum: 0)
            case "--max-queue": maxQueue = Int(try number(flag, minimum: 1))
            case "--model-benchmark": modelBenchmark = try value(flag)
            case "--no-model-benchmark": modelBenchmark = nil
            default: throw UsageError("unknown option \(flag)\n\(Self.usage)")
            }
        }
    }
}
