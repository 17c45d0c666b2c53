import CTurboJPEG
import Foundation
import XCTest

/// Writes JPEG files through TurboJPEG directly, for the pixel formats that `ImageEncoder` does
/// not write (one-channel grey, CMYK).
enum JPEGTestFile {
    /// `pixels` (row-major, packed in `format`) compressed at quality 100 with `subsampling`.
    static func make(_ pixels: [UInt8], width: Int, height: Int, format: TJPF, subsampling: TJSAMP) throws -> Data {
        let handle = try XCTUnwrap(tjInitCompress())
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { tjFree(buffer) }
        XCTAssertEqual(tjCompress2(handle, pixels, Int32(width), 0, Int32(height), Int32(format.rawValue),
                                   &buffer, &size, Int32(subsampling.rawValue), 100, 0), 0)
        return Data(bytes: try XCTUnwrap(buffer), count: Int(size))
    }
}
