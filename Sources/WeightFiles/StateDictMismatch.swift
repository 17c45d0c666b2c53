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

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { parts.append("unexpected keys: " + unexpected.joined(separator: ", ")) }
        if !misshaped.isEmpty {
            parts.append("mis-shaped keys: " + misshaped.map { "\($0.name): expected \($0.expected), found \($0.found)" }
                .joined(separator: ", "))
        }
        return "state dict does not match the model; " + parts.joined(separator: "; ")
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
