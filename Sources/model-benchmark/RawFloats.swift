import BenchmarkSupport
import Foundation
import Tensors

/// Tensors exchanged with the Python worker as raw little-endian float32 files.
enum RawFloats {
    static func write(_ tensor: Tensor, to url: URL) throws {
        let data = tensor.withUnsafeBufferPointer { Data(buffer: $0) }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw UsageError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    static func read(_ url: URL) throws -> [Float] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw UsageError("cannot read \(url.path): \(error.localizedDescription)")
        }
        guard data.count % 4 == 0 else { throw UsageError("\(url.path): \(data.count) bytes is not whole float32 values") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
