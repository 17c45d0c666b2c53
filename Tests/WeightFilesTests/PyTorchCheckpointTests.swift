import Foundation
import TestSupport
import XCTest
@testable import WeightFiles

final class PyTorchCheckpointTests: XCTestCase {
    func testZipCheckpointWrittenByPyTorchLoadsExactly() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_zip.pt"))
        XCTAssertEqual(loaded, try fixtures.expected("small"))
    }

    func testLegacyCheckpointWrittenByPyTorchLoadsExactly() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_legacy.pt"))
        XCTAssertEqual(loaded, try fixtures.expected("small"))
    }

    func testProtocol4PickleLoadsExactly() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_protocol4_zip.pt"))
        XCTAssertEqual(loaded, try fixtures.expected("small"))
    }

    func testHandComputedEntries() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_zip.pt"))
        // torch.arange(20).reshape(4, 5)[1:3, 1:4] / 8: storage offset 6, strides (5, 1).
        XCTAssertEqual(loaded["extra.offset_view"], NamedArray(shape: [2, 3], values: [6, 7, 8, 11, 12, 13].map { $0 / 8 }))
        XCTAssertEqual(loaded["bn.num_batches_tracked"], NamedArray(shape: [], values: [3]))  // three training batches
        XCTAssertEqual(loaded["extra.int32"], NamedArray(shape: [3], values: [-7, 0, 123_456]))
        XCTAssertEqual(loaded["extra.scalar"], NamedArray(shape: [], values: [2.5]))
    }

    func testNestedCheckpointPicksTheStateDict() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("nested_zip.pt"))
        XCTAssertEqual(loaded, try fixtures.expected("small"))
    }

    func testMaliciousPicklesNameTheForbiddenGlobal() throws {
        for name in ["malicious_zip.pt", "malicious_legacy.pt"] {
            let error = assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(from: fixtures.url(name)))
            guard case let .forbiddenGlobal(_, _, global) = error else {
                XCTFail("\(name): expected forbiddenGlobal, got \(String(describing: error))")
                continue
            }
            XCTAssertEqual(global, "posix.system")
            XCTAssertTrue(error?.description.contains("posix.system") ?? false)
        }
    }

    func testTruncatedCheckpointsFailCleanly() throws {
        for name in ["small_zip.pt", "small_legacy.pt", "small_protocol4_zip.pt", "densenet_style_legacy.pth"] {
            let data = try fixtures.data(name)
            for length in stride(from: 0, to: data.count, by: 7) {
                assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(data: data.prefix(length), source: name))
            }
        }
    }

    func testCorruptedZipMemberFailsItsChecksum() throws {
        let data = try fixtures.data("small_zip.pt")
        let bytes = [UInt8](data)
        let archive = try ZipArchive(bytes: bytes, source: "small_zip.pt")
        let storage = try XCTUnwrap(archive.entries["small_zip/data/0"]).data
        var corrupted = bytes
        corrupted[storage.lowerBound + 5] ^= 0x10
        let error = assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(data: Data(corrupted), source: "flipped.pt"))
        XCTAssertTrue(error?.description.contains("CRC-32") ?? false, String(describing: error))
    }

    /// PyTorch's zip has no archive comment, so its end-of-central-directory record is the last 22 bytes.
    private func patched(_ bytes: [UInt8], littleEndian value: UInt64, width: Int, at offset: Int) -> [UInt8] {
        var copy = bytes
        for index in 0..<width { copy[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return copy
    }

    func testZip64RecordsAreFollowedWhenClassicFieldsSaturate() throws {
        let bytes = [UInt8](try fixtures.data("small_zip.pt"))
        let record = bytes.count - 22
        // Saturated entry counts and directory offset send the reader to the zip64 record PyTorch also wrote.
        var saturated = patched(bytes, littleEndian: 0xFFFF_FFFF, width: 4, at: record + 8)
        saturated = patched(saturated, littleEndian: 0xFFFF_FFFF, width: 4, at: record + 16)
        XCTAssertEqual(try PyTorchCheckpoint.read(data: Data(saturated), source: "zip64.pt"), try fixtures.expected("small"))
    }

    func testCompressedMembersAreRejectedClearly() throws {
        let bytes = [UInt8](try fixtures.data("small_zip.pt"))
        let directory = Int(ByteCursor.littleEndian(UInt32.self, in: bytes, at: bytes.count - 22 + 16))
        let deflated = patched(bytes, littleEndian: 8, width: 2, at: directory + 10)  // first member's method
        let error = assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(data: Data(deflated), source: "deflated.pt"))
        XCTAssertTrue(error?.description.contains("deflate-compressed") ?? false, String(describing: error))
    }

    func testRandomByteFlipsNeverCrash() throws {
        var stream = TestByteStream(seed: 2026)
        for name in ["small_zip.pt", "small_legacy.pt", "densenet_style_legacy.pth"] {
            let bytes = [UInt8](try fixtures.data(name))
            for _ in 0..<400 {
                var mutated = bytes
                for _ in 0..<(1 + stream.below(4)) {
                    mutated[stream.below(mutated.count)] = UInt8(truncatingIfNeeded: stream.next())
                }
                // Either a clean error or a state dict; any crash fails the test run.
                if let loaded = try? PyTorchCheckpoint.read(data: Data(mutated), source: name) {
                    XCTAssertTrue(loaded.values.allSatisfy { $0.values.count == $0.elementCount })
                }
            }
        }
    }

    func testNonCheckpointsAreRecognized() throws {
        let safetensors = try fixtures.data("small.safetensors")
        guard case .notACheckpoint = assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(data: safetensors, source: "x")) else {
            return XCTFail("a safetensors file is not a PyTorch checkpoint")
        }
        guard case .unreadable = assertThrows(WeightFileError.self, try PyTorchCheckpoint.read(from: URL(fileURLWithPath: "/nonexistent/x.pt"))) else {
            return XCTFail("a missing file is unreadable")
        }
    }

    func testWrongArchitectureListsEveryDifference() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_zip.pt"))
        // A different network: conv1 has 8 filters, there is a conv3, and no fc.
        var expected = try fixtures.expected("small").mapValues(\.shape)
        expected["conv1.weight"] = [8, 3, 3, 3]
        expected["conv3.weight"] = [2, 2, 1, 1]
        expected["fc.weight"] = nil
        expected["fc.bias"] = nil
        XCTAssertThrowsError(try checkStateDict(loaded, expected: expected)) { error in
            XCTAssertEqual(error as? StateDictMismatch, StateDictMismatch(
                missing: ["conv3.weight"],
                unexpected: ["fc.bias", "fc.weight"],
                misshaped: [.init(name: "conv1.weight", expected: [8, 3, 3, 3], found: [4, 3, 3, 3])]))
            let text = String(describing: error)
            for name in ["conv3.weight", "fc.bias", "fc.weight", "conv1.weight: expected [8, 3, 3, 3], found [4, 3, 3, 3]"] {
                XCTAssertTrue(text.contains(name), text)
            }
        }
    }

    func testMatchingStateDictPassesTheCheck() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("small_legacy.pt"))
        XCTAssertNoThrow(try checkStateDict(loaded, expected: try fixtures.expected("small").mapValues(\.shape)))
    }

    func testFileWithAMissingKeyIsReported() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("missing_key_zip.pt"))
        XCTAssertThrowsError(try checkStateDict(loaded, expected: try fixtures.expected("small").mapValues(\.shape))) { error in
            XCTAssertEqual((error as? StateDictMismatch)?.missing, ["bn.running_var"])
            XCTAssertEqual((error as? StateDictMismatch)?.unexpected, [])
        }
    }
}
