import Foundation

/// The keys of a JSON object in the order they are written, duplicates included: JSON decoders
/// keep one value per key and drop the others silently, so a file that names a tensor twice has
/// to be caught before decoding.
enum JSONObjectKeys {
    /// The top-level keys of the JSON object in `bytes`, or nil when `bytes` is not a well-formed
    /// object at this level (the decoder then reports the fault).
    static func topLevel(_ bytes: ArraySlice<UInt8>) -> [String]? {
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
        var keys: [String] = []
        while true {
            skipSpace()
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == 0x7D, keys.isEmpty { return keys }
            guard bytes[index] == 0x22, let raw = string(),
                  let key = try? JSONSerialization.jsonObject(with: Data(raw), options: .fragmentsAllowed) as? String else { return nil }
            keys.append(key)
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == 0x3A else { return nil }
            index += 1
            guard skipValue() else { return nil }
            if bytes[index] == 0x7D { return keys }
            index += 1                                       // the comma
        }
    }
}
