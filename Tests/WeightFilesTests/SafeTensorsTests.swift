import Foundation
import TestSupport
import XCTest
@testable import WeightFiles

final class SafeTensorsTests: XCTestCase {
    private func temporaryURL(_ name: String) throws -> URL {
        try TemporaryFolder(self).url.appendingPathComponent(name)
    }

    /// Assembles a safetensors file from a raw JSON header and a data buffer.
    private func safetensors(header: String, buffer: [UInt8], declaredLength: UInt64? = nil) -> Data {
        var data = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: buffer)
        return data
    }

    func testFileWrittenByThePythonPackageLoadsExactly() throws {
        let contents = try SafeTensors.readContents(from: fixtures.url("small.safetensors"))
        XCTAssertEqual(contents.tensors, try fixtures.expected("small"))
        XCTAssertEqual(contents.metadata, ["writer": "safetensors-python"])
    }

    func testWriteThenReadIsBitExact() throws {
        let special: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                Float(bitPattern: 0x7FC0_1234), 1.0 / 3.0]
        let tensors: StateDict = [
            "special": NamedArray(shape: [2, 4], values: special),
            "empty": NamedArray(shape: [0, 3], values: []),
            "scalar": NamedArray(shape: [], values: [42]),
            "name with \"quotes\" / slash": NamedArray(shape: [1], values: [-1.5]),
        ]
        let url = try temporaryURL("roundtrip.safetensors")
        try SafeTensors.write(tensors, metadata: ["epoch": "7", "note": "ünïcode"], to: url)
        let read = try SafeTensors.readContents(from: url)
        XCTAssertEqual(read.metadata, ["epoch": "7", "note": "ünïcode"])
        XCTAssertEqual(Set(read.tensors.keys), Set(tensors.keys))
        for (name, tensor) in tensors {
            XCTAssertEqual(read.tensors[name]?.shape, tensor.shape, name)
            XCTAssertEqual(read.tensors[name]?.values.map(\.bitPattern), tensor.values.map(\.bitPattern), name)
        }
        // The header is padded to a multiple of 8 bytes, as the reference implementation does.
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertEqual(ByteCursor.littleEndian(UInt64.self, in: bytes, at: 0) % 8, 0)
    }

    func testWritingMismatchedShapeIsRefused() throws {
        let url = try temporaryURL("bad.safetensors")
        guard case .unwritable = assertThrows(WeightFileError.self, try SafeTensors.write(["w": NamedArray(shape: [2, 2], values: [1, 2, 3])], to: url)) else {
            return XCTFail("expected unwritable")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testValidHandWrittenFileDecodes() throws {
        let header = #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}"#
        // float16 1.0 = 0x3C00, -2.0 = 0xC000; int64 -3.
        let buffer: [UInt8] = [0x00, 0x3C, 0x00, 0xC0] + withUnsafeBytes(of: Int64(-3).littleEndian) { Array($0) }
        let contents = try SafeTensors.decode(safetensors(header: header, buffer: buffer), source: "hand")
        XCTAssertEqual(contents.tensors, ["a": NamedArray(shape: [2], values: [1, -2]), "b": NamedArray(shape: [], values: [-3])])
    }

    func testMalformedHeadersAreRejected() {
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, Data, String)] = [
            ("offsets past the end", safetensors(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, buffer: eight), "data buffer holds 8"),
            ("overlapping", safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, buffer: eight), "overlaps"),
            ("gap", safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, buffer: eight), "gap"),
            ("size mismatch", safetensors(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, buffer: eight), "do not span"),
            ("huge header length", safetensors(header: "{}", buffer: [], declaredLength: UInt64.max), "exceeds the limit"),
            ("header past the end", safetensors(header: "{}", buffer: [], declaredLength: 1000), "JSON header"),
            ("not JSON", safetensors(header: "{nope", buffer: []), "header is not valid"),
            ("negative shape", safetensors(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, buffer: []), "invalid shape"),
            ("wrong field type", safetensors(header: #"{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, buffer: eight), "a.shape"),
            ("unknown dtype", safetensors(header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, buffer: eight), "C64"),
            ("empty", Data(), "header length"),
            ("deeply nested JSON", safetensors(header: String(repeating: "[", count: 100_000), buffer: []), "header is not valid"),
            ("a tensor named twice", safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, buffer: eight), "names 'a' twice"),
            ("a tensor named twice, once escaped", safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0061":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, buffer: eight), "names 'a' twice"),
            ("metadata twice", safetensors(header: #"{"__metadata__":{"k":"1"},"__metadata__":{"k":"2"}}"#, buffer: []), "names '__metadata__' twice"),
        ]
        for (label, data, fragment) in cases {
            let error = assertThrows(WeightFileError.self, try SafeTensors.decode(data, source: label))
            XCTAssertTrue(error?.description.contains(fragment) ?? false, "\(label): \(String(describing: error))")
        }
    }

    func testTruncatedFilesFailCleanly() throws {
        let data = try fixtures.data("small.safetensors")
        for length in 0..<data.count {
            assertThrows(WeightFileError.self, try SafeTensors.decode(data.prefix(length), source: "small.safetensors"))
        }
    }

    func testRandomByteFlipsNeverCrash() throws {
        var stream = TestByteStream(seed: 99)
        let bytes = [UInt8](try fixtures.data("small.safetensors"))
        for _ in 0..<500 {
            var mutated = bytes
            mutated[stream.below(min(mutated.count, 600))] = UInt8(truncatingIfNeeded: stream.next())
            if let contents = try? SafeTensors.decode(Data(mutated), source: "flipped") {
                XCTAssertTrue(contents.tensors.values.allSatisfy { $0.values.count == $0.elementCount })
            }
        }
    }
}
