import Foundation

/// Differences between the keys and shapes a model expects and those a loaded state dict has.
public struct StateDictMismatch: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A key present in both, with different shapes.
    public struct ShapeDifference: Equatable, Sendable {
        public var name: String
        public var expected: [Int]
        public var found: [Int]
    }

    /// Expected keys the state dict lacks, sorted.
    public var missing: [String]
    /// Keys of the state dict the model does not have, sorted.
    public var unexpected: [String]
    /// Keys whose shapes differ, sorted by name.
    public var misshaped: [ShapeDifference]

    /// How many keys of each kind a message names before it only counts the rest: a checkpoint of
    /// another architecture differs in hundreds of keys, and a message is read, not searched.
    public static let keysNamed = 5

    /// One line: the count of each kind of difference and the first `keysNamed` keys of each.
    public var description: String {
        func summary(_ count: Int, _ kind: String, _ items: [String]) -> String? {
            guard count > 0 else { return nil }
            let named = items.prefix(Self.keysNamed).joined(separator: ", ")
            let rest = count > Self.keysNamed ? ", and \(count - Self.keysNamed) more" : ""
            return "\(count) \(kind) (\(named)\(rest))"
        }
        let parts = [
            summary(missing.count, "missing", missing),
            summary(unexpected.count, "unexpected", unexpected),
            summary(misshaped.count, "mis-shaped",
                    misshaped.map { "\($0.name): expected \($0.expected), found \($0.found)" }),
        ].compactMap { $0 }
        return "state dict does not match the model: " + parts.joined(separator: "; ")
            + (missing.count + unexpected.count > 20 ? " — weights of another architecture?" : "")
    }

    public var errorDescription: String? { description }
}

/// Checks that `loaded` has exactly the keys of `expected` with the given shapes, and otherwise throws
/// one `StateDictMismatch` listing every missing, unexpected and mis-shaped key.
public func checkStateDict(_ loaded: StateDict, expected: [String: [Int]]) throws {
    let missing = expected.keys.filter { loaded[$0] == nil }.sorted()
    let unexpected = loaded.keys.filter { expected[$0] == nil }.sorted()
    let misshaped = expected.keys.sorted().compactMap { name -> StateDictMismatch.ShapeDifference? in
        guard let found = loaded[name]?.shape, let shape = expected[name], found != shape else { return nil }
        return StateDictMismatch.ShapeDifference(name: name, expected: shape, found: found)
    }
    if !missing.isEmpty || !unexpected.isEmpty || !misshaped.isEmpty {
        throw StateDictMismatch(missing: missing, unexpected: unexpected, misshaped: misshaped)
    }
}
