import Foundation

/// The keys of a JSON object in the order they are written, duplicates included: JSON decoders
/// keep one value per key and drop the others silently, so a file that names a key twice (a
/// safetensors header naming a tensor twice, a cost matrix giving a class twice) has to be caught
/// by reading the keys themselves.
package enum JSONObjectKeys {
    /// The members of the JSON object in `bytes`, in file order: each key (unescaped) with the raw
    /// bytes of its value; nil when `bytes` is not a well-formed object at this level (the decoder
    /// then reports the fault). Nested values are skipped, not checked.
    package static func members(_ bytes: ArraySlice<UInt8>) -> [(key: String, value: ArraySlice<UInt8>)]? {
        var index = bytes.startIndex
        func skipSpace() { while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 } }
        /// Moves past the string starting at `index` (a quote) and returns its raw bytes, quotes included.
        func string() -> ArraySlice<UInt8>? {
            let start = index
            index += 1
            while index < bytes.endIndex {
                switch bytes[index] {
                case 0x5C: index += 2                       // backslash: skip the escaped character
                case 0x22: index += 1; return bytes[start..<index]
                default: index += 1
                }
            }
            return nil
        }
        /// Moves past one value: a string, or anything up to the comma or brace that ends it.
        func skipValue() -> Bool {
            var depth = 0
            while index < bytes.endIndex {
                switch bytes[index] {
                case 0x22: if string() == nil { return false }; continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    if depth == 0 { return true }
                    depth -= 1
                case 0x2C where depth == 0: return true
                default: break
                }
                index += 1
            }
            return false
        }
        skipSpace()
        guard index < bytes.endIndex, bytes[index] == 0x7B else { return nil }
        index += 1
        var members: [(key: String, value: ArraySlice<UInt8>)] = []
        while true {
            skipSpace()
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == 0x7D, members.isEmpty { return members }
            guard bytes[index] == 0x22, let raw = string(),
                  let key = try? JSONSerialization.jsonObject(with: Data(raw), options: .fragmentsAllowed) as? String else { return nil }
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == 0x3A else { return nil }
            index += 1
            let valueStart = index
            guard skipValue() else { return nil }
            members.append((key, bytes[valueStart..<index]))
            if bytes[index] == 0x7D { return members }
            index += 1                                       // the comma
        }
    }

    /// The top-level keys of the JSON object in `bytes`, or nil when it is not a well-formed object.
    package static func topLevel(_ bytes: ArraySlice<UInt8>) -> [String]? {
        members(bytes)?.map(\.key)
    }

    /// The keys of the top-level object of valid JSON `data`, each with the keys of its value when
    /// that is an object (else none).
    package static func twoLevels(_ data: Data) -> [(key: String, innerKeys: [String])] {
        (members([UInt8](data)[...]) ?? []).map { ($0.key, topLevel($0.value) ?? []) }
    }
}
