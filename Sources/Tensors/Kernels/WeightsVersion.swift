/// Identifies a weights tensor and how often it has changed, so kernels can keep the weights
/// reordered into oneDNN's preferred layout until the caller modifies them.
public struct WeightsVersion: Hashable, Sendable {
    /// A number unique to the weights tensor for the life of the process.
    public var owner: UInt64
    /// A counter the caller bumps every time the weight values change.
    public var version: UInt64

    /// The identity `owner` at modification count `version`.
    public init(owner: UInt64, version: UInt64) {
        self.owner = owner
        self.version = version
    }
}
