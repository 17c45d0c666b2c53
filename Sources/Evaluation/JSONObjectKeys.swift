import Foundation

/// The keys of a JSON object as the file writes them: in file order, duplicates kept.
/// (`JSONSerialization` and `JSONDecoder` keep one value of a repeated key without a word, so a
/// class given twice would pass unnoticed.)
enum JSONObjectKeys {
    /// The keys of the top-level object of valid JSON `data`, each with the keys of its value when
    /// that is an object (else none).
    /// - Precondition: `data` is valid JSON (as `JSONSerialization` accepted it).
    static func twoLevels(_ data: Data) -> [(key: String, innerKeys: [String])] {
        let bytes = [UInt8](data)
        var result: [(key: String, innerKeys: [String])] = []
        // One entry per open container: true for an object awaiting a key, false otherwise
        // (arrays, and objects awaiting a value).
        var awaitingKey: [Bool] = []
        var isObject: [Bool] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if awaitingKey.last == true {
                    awaitingKey[awaitingKey.count - 1] = false
                    let token = Data(bytes[start..<min(index + 1, bytes.count)])
                    let key = (try? JSONDecoder().decode(String.self, from: token)) ?? ""
                    if awaitingKey.count == 1 {
                        result.append((key, []))
                    } else if awaitingKey.count == 2, isObject == [true, true], !result.isEmpty {
                        result[result.count - 1].innerKeys.append(key)
                    }
                }
            case UInt8(ascii: "{"):
                awaitingKey.append(true)
                isObject.append(true)
            case UInt8(ascii: "["):
                awaitingKey.append(false)
                isObject.append(false)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = awaitingKey.popLast()
                _ = isObject.popLast()
            case UInt8(ascii: ","):
                if isObject.last == true { awaitingKey[awaitingKey.count - 1] = true }
            default:
                break
            }
            index += 1
        }
        return result
    }
}
