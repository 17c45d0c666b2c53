import Foundation

/// NumPy's `.npy` format (version 1.0), for arrays that Python reads with `numpy.load`: the magic
/// `\x93NUMPY`, the version bytes 1 and 0, a little-endian 16-bit header length, an ASCII header
/// (a Python dict literal, padded with spaces and ended by a newline so that the data starts at a
/// multiple of 64 bytes), then the values in C order.
package enum NPYFile {
    /// The bytes of a little-endian float32 array of `shape` holding `values` in C (row-major) order.
    /// Stops unless `values.count` is the product of `shape`.
    package static func float32(_ values: [Float], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *), "NPYFile: \(values.count) values do not fill shape \(shape)")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let prefixLength = 10  // magic (6), version (2), header length (2)
        let padded = (prefixLength + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: padded - prefixLength - header.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.reserveCapacity(data.count + 4 * values.count)
        for value in values {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
        }
        return data
    }
}
