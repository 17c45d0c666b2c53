/// A reproducible random number generator: xoshiro256** seeded through SplitMix64.
///
/// Every random choice of the toolkit (splits, initialization, augmentation, dropout)
/// takes one of these, built from a seed that the run records.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The generator for `seed`; equal seeds give equal sequences on every platform.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// An independent generator for a named sub-task (for example one per epoch or per worker),
    /// so that streams do not depend on the order in which tasks draw numbers.
    public func derived(_ stream: UInt64) -> SeededGenerator {
        SeededGenerator(seed: state.0 ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x5851_F42D_4C95_7F2D)
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 &<< 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    /// A uniform value in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() &>> 40) * 0x1p-24
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() &>> 11) * 0x1p-53
    }

    /// A standard normal value (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = max(nextUnitDouble(), Double.leastNonzeroMagnitude)
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Masking shifts (`&<<`), not smart ones: the same bits for amounts in 1..<64, without the
    /// range checks that made a debug build draw the full-size networks' weights slowly.
    @inline(__always) private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value &<< amount) | (value &>> (64 &- amount))
    }

    // Codable and Equatable through the four state words (tuples conform to neither).
    private enum CodingKeys: String, CodingKey { case state }

    public init(from decoder: Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a SeededGenerator state has 4 words, found \(words.count)"))
        }
        state = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }
}
