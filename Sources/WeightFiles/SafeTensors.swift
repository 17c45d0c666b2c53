import Foundation
import ToolkitSupport

/// The safetensors format, the toolkit's own weight and checkpoint format: an 8-byte little-endian
/// header length N, N bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}`, then the tensors' bytes.
///
/// Reading validates everything (header length, dtypes, shapes, offsets that tile the buffer exactly)
/// and converts F32/F64/F16/BF16 and integer types to `Float`. Writing stores F32, so a write followed
/// by a read returns identical bits.
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit).
    public static let maximumHeaderBytes = 100_000_000

    /// Tensors and free-form metadata of a safetensors file.
    public struct Contents: Sendable, Equatable {
        public var tensors: StateDict
        public var metadata: [String: String]

        /// Tensors by name plus string metadata (stored under `__metadata__`).
        public init(tensors: StateDict, metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads the tensors of the file at `url`.
    public static func read(from url: URL) throws -> StateDict {
        try readContents(from: url).tensors
    }

    /// Reads the tensors and the `__metadata__` of the file at `url`.
    public static func readContents(from url: URL) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightFileError.unreadable(source: url.path, reason: FileReadFailure.reason(url, error))
        }
        return try decode(data, source: url.path)
    }

    /// Writes `tensors` as F32 with `metadata` to `url`, atomically (temporary file, then rename).
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(Contents(tensors: tensors, metadata: metadata), source: url.path)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw WeightFileError.unwritable(source: url.path, reason: (error as? AtomicFileError)?.reason ?? "\(error)")
        }
    }

    // MARK: - Decoding

    /// Parses safetensors bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String) throws -> Contents {
        let bytes = [UInt8](data)
        var cursor = ByteCursor(bytes: bytes, source: source)
        let declared = try cursor.littleEndian(UInt64.self, "header length")
        guard declared <= UInt64(maximumHeaderBytes) else {
            throw WeightFileError.badSafeTensors(source: source, reason: "header length \(declared) exceeds the limit of \(maximumHeaderBytes) bytes")
        }
        let headerRange = try cursor.take(Int(declared), "JSON header")
        if let keys = JSONObjectKeys.topLevel(bytes[headerRange]) {
            var seen: Set<String> = []
            for key in keys where !seen.insert(key).inserted {
                throw WeightFileError.badSafeTensors(source: source, reason: "the header names '\(key)' twice")
            }
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[headerRange]))
        } catch let error as WeightFileError {
            throw error
        } catch {
            throw WeightFileError.badSafeTensors(source: source, reason: "header is not valid: \(summary(of: error))")
        }
        let buffer = cursor.position..<cursor.end
        var spans: [(name: String, range: Range<Int>, type: ElementType, shape: [Int])] = []
        for (name, entry) in header.tensors {
            guard let type = ElementType(safeTensorsName: entry.dtype) else {
                throw WeightFileError.unsupportedDType(source: source, dtype: "\(entry.dtype) (tensor \(name))")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }), let count = StridedViewArithmetic.elementCount(entry.shape) else {
                throw WeightFileError.badSafeTensors(source: source, reason: "tensor \(name) has invalid shape \(entry.shape)")
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
            guard !overflow, entry.data_offsets.count == 2,
                  entry.data_offsets[0] >= 0, entry.data_offsets[0] <= entry.data_offsets[1],
                  entry.data_offsets[1] - entry.data_offsets[0] == byteCount else {
                throw WeightFileError.badSafeTensors(source: source,
                    reason: "tensor \(name): data_offsets \(entry.data_offsets) do not span the \(entry.shape) \(entry.dtype) elements")
            }
            spans.append((name, entry.data_offsets[0]..<entry.data_offsets[1], type, entry.shape))
        }
        spans.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        var expectedStart = 0
        for span in spans {
            guard span.range.lowerBound == expectedStart else {
                let fault = span.range.lowerBound < expectedStart ? "overlaps the previous tensor" : "leaves a gap before it"
                throw WeightFileError.badSafeTensors(source: source, reason: "tensor \(span.name) at data_offsets \(span.range) \(fault)")
            }
            expectedStart = span.range.upperBound
        }
        guard expectedStart == buffer.count else {
            throw WeightFileError.badSafeTensors(source: source,
                reason: "tensors cover \(expectedStart) bytes but the data buffer holds \(buffer.count)")
        }
        var tensors: StateDict = [:]
        for span in spans {
            let values = span.type.decode(bytes, offset: buffer.lowerBound + span.range.lowerBound, count: span.range.count / span.type.byteCount)
            tensors[span.name] = NamedArray(shape: span.shape, values: values)
        }
        return Contents(tensors: tensors, metadata: header.metadata)
    }

    // MARK: - Encoding

    /// The safetensors bytes of `contents`, tensors as F32 in name order, header padded to 8 bytes.
    public static func encode(_ contents: Contents, source: String = "safetensors") throws -> Data {
        var entries: [String: Header.Entry] = [:]
        var offset = 0
        let names = contents.tensors.keys.sorted()
        for name in names {
            guard let tensor = contents.tensors[name] else { continue }
            guard !name.isEmpty, name != Header.metadataKey else {
                throw WeightFileError.unwritable(source: source, reason: "invalid tensor name '\(name)'")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }), StridedViewArithmetic.elementCount(tensor.shape) == tensor.values.count else {
                throw WeightFileError.unwritable(source: source,
                    reason: "tensor \(name) has shape \(tensor.shape) but \(tensor.values.count) values")
            }
            let end = offset + tensor.values.count * ElementType.float32.byteCount
            entries[name] = Header.Entry(dtype: ElementType.float32.safeTensorsName, shape: tensor.shape, data_offsets: [offset, end])
            offset = end
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = [UInt8](try encoder.encode(Header(tensors: entries, metadata: contents.metadata)))
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var output = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: header)
        for name in names {
            guard let values = contents.tensors[name]?.values else { continue }
            appendLittleEndian(values, to: &output)
        }
        return output
    }

    /// Appends `values` as little-endian float32 bytes: one copy of the whole array on a little-endian
    /// host (four bytes at a time took seconds a checkpoint in a debug build).
    private static func appendLittleEndian(_ values: [Float], to output: inout Data) {
        #if _endian(little)
        values.withUnsafeBytes { output.append(contentsOf: $0) }
        #else
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { output.append(contentsOf: $0) }
        }
        #endif
    }

    // MARK: - Header

    /// The JSON header: tensor entries plus the optional `__metadata__` map.
    private struct Header: Codable {
        static let metadataKey = "__metadata__"

        // swiftlint:disable:next nesting
        struct Entry: Codable {
            var dtype: String
            var shape: [Int]
            // swiftlint:disable:next identifier_name
            var data_offsets: [Int]
        }

        var tensors: [String: Entry]
        var metadata: [String: String]

        init(tensors: [String: Entry], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: NameKey.self)
            tensors = [:]
            metadata = [:]
            for key in container.allKeys {
                if key.stringValue == Self.metadataKey {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    tensors[key.stringValue] = try container.decode(Entry.self, forKey: key)
                }
            }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: NameKey.self)
            if !metadata.isEmpty {
                try container.encode(metadata, forKey: NameKey(Self.metadataKey))
            }
            for (name, entry) in tensors {
                try container.encode(entry, forKey: NameKey(name))
            }
        }
    }

    /// A coding key that is any string (tensor names).
    private struct NameKey: CodingKey {
        let stringValue: String
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// One line saying where in the header decoding failed.
    private static func summary(of error: Error) -> String {
        guard let decoding = error as? DecodingError else { return error.localizedDescription }
        let context: DecodingError.Context
        switch decoding {
        case let .typeMismatch(_, found), let .valueNotFound(_, found), let .keyNotFound(_, found), let .dataCorrupted(found):
            context = found
        @unknown default:
            return String(describing: decoding)
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
}
