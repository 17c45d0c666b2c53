import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import ToolkitSupport

/// NIST FIPS 180-2 example vectors.
final class SHA256Tests: XCTestCase {
    private func hex(_ text: String) -> String { SHA256.hash(Data(text.utf8)).hexString }

    func testEmptyMessage() {
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testABC() {
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testTwoBlockMessage() {
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testMillionAsInUnevenChunks() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let message = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hash(message).hexString, expected)
        // Chunk lengths that cross block boundaries in every way.
        var hasher = SHA256()
        var offset = 0
        let lengths = [1, 63, 64, 65, 127, 1000, 3]
        var turn = 0
        while offset < message.count {
            let end = min(offset + lengths[turn % lengths.count], message.count)
            hasher.update(message[offset..<end])
            offset = end
            turn += 1
        }
        XCTAssertEqual(hasher.finalize().hexString, expected)
    }

    func testFileHashingStreamsInChunks() throws {
        let folder = try TemporaryFolder(self)
        let file = try folder.write("m.bin", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        XCTAssertEqual(try SHA256.hash(fileAt: file, chunkSize: 5).hexString,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
