import Foundation

/// The one JSON style of the toolkit's files: pretty-printed, keys sorted, slashes unescaped.
package enum JSONFormatting {
    package static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}
