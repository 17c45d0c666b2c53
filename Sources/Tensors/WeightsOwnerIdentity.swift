import Synchronization

/// Hands out the process-unique `WeightsVersion.owner` numbers.
private let lastWeightsOwner = Atomic<UInt64>(0)

extension WeightsVersion {
    /// A fresh owner number, never returned before in this process (thread-safe).
    public static func makeOwner() -> UInt64 {
        lastWeightsOwner.add(1, ordering: .relaxed).newValue
    }
}
