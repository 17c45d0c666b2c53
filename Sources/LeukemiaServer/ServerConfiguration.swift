import Foundation
import Tensors

/// How `leukemia serve` runs: the runs it serves, where it listens, its batching and limits,
/// access control and the audit log.
public struct ServerConfiguration: Sendable {
    /// Run directories to serve, each under its folder name.
    public var runs: [URL]
    public var host: String = "127.0.0.1"
    /// The port to listen on; 0 picks a free one (reported by `LeukemiaService.start`).
    public var port: Int = 8080
    /// The most images classified in one forward pass.
    public var maxBatch: Int = 16
    /// How long the first request of a batch waits for others to join it.
    public var batchDelay: Duration = .milliseconds(5)
    /// The most images waiting for the model; beyond it requests are answered 503.
    public var maxQueue: Int = 64
    /// The largest request body accepted, in bytes.
    public var maxUploadBytes: Int = 20 << 20
    /// The largest image accepted, in pixels (width x height, read from the header before decoding).
    public var maxPixels: Int = 40_000_000
    /// The API keys file (`leukemia serve keys add`); nil serves without keys.
    public var apiKeys: URL?
    /// The audit log database; nil keeps no log.
    public var logDatabase: URL?
    /// Allow binding to a non-loopback address without API keys.
    public var insecure = false
    /// The coverage of the prediction sets given for runs that have a calibration.
    public var coverage: Double = 0.95
    /// Images whose top (calibrated) probability is under this value are flagged for referral.
    public var referBelow: Double = 0.6
    /// What the CNN runs' convolutions compute in; nil: each run's own (`--precision`).
    public var precision: ComputePrecision?

    public init(runs: [URL]) {
        self.runs = runs
    }

    /// Whether `host` names the loopback interface.
    public var bindsLoopbackOnly: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }

    /// Checks the values and the rule that only loopback may be served without keys.
    /// - Throws: `ServerSetupError` naming the value at fault.
    public func validate() throws {
        guard !runs.isEmpty else { throw ServerSetupError.noRuns }
        for (name, value) in [("--max-batch", maxBatch), ("--max-queue", maxQueue), ("--max-upload-mb", maxUploadBytes),
                              ("--max-pixels", maxPixels)] where value < 1 {
            throw ServerSetupError.invalidOption(name, "must be at least 1, got \(value)")
        }
        guard (0...65535).contains(port) else { throw ServerSetupError.invalidOption("--port", "must be 0...65535, got \(port)") }
        guard batchDelay >= .zero else { throw ServerSetupError.invalidOption("--batch-delay-ms", "must not be negative") }
        for (name, value) in [("--coverage", coverage), ("--refer-below", referBelow)] where !(value > 0 && value < 1) {
            throw ServerSetupError.invalidOption(name, "must be in (0, 1), got \(value)")
        }
        if apiKeys == nil, !insecure, !bindsLoopbackOnly { throw ServerSetupError.insecureBind(host) }
    }
}
