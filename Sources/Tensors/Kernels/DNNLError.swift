internal import CDNNL
import Foundation

/// A failure of a oneDNN kernel: either oneDNN rejected a call, or the caller's geometry is invalid
/// before oneDNN is even asked. The description names the primitive (with its geometry) and the cause.
struct DNNLError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// Why the kernel failed.
    enum Cause: Equatable, Sendable {
        /// A `dnnl_*` call returned a status other than `dnnl_success`.
        case status(call: String, status: String)
        /// The geometry or arguments were rejected before calling oneDNN.
        case invalidGeometry(String)
    }

    /// The primitive with its geometry, e.g. "convolution forward 3x3 s1 p1 16x64x56x56 -> 128".
    let primitive: String
    /// What went wrong.
    let cause: Cause

    /// An error of `primitive` (described with its geometry) for `cause`.
    init(primitive: String, cause: Cause) {
        self.primitive = primitive
        self.cause = cause
    }

    var description: String {
        switch cause {
        case let .status(call, status): return "\(primitive): \(call) failed with \(status)"
        case let .invalidGeometry(reason): return "\(primitive): invalid geometry: \(reason)"
        }
    }

    var errorDescription: String? { description }

    /// Whether oneDNN has no implementation for the requested primitive (`dnnl_unimplemented`).
    var isUnimplemented: Bool {
        if case let .status(_, status) = cause { return status == Self.statusName(dnnl_unimplemented) }
        return false
    }

    /// The C name of a oneDNN status, e.g. "dnnl_invalid_arguments".
    static func statusName(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_success: return "dnnl_success"
        case dnnl_out_of_memory: return "dnnl_out_of_memory"
        case dnnl_invalid_arguments: return "dnnl_invalid_arguments"
        case dnnl_unimplemented: return "dnnl_unimplemented"
        case dnnl_last_impl_reached: return "dnnl_last_impl_reached"
        case dnnl_runtime_error: return "dnnl_runtime_error"
        case dnnl_not_required: return "dnnl_not_required"
        default: return "dnnl_status \(status.rawValue)"
        }
    }
}

/// Throws a `DNNLError` naming `primitive` and `call` unless `status` is `dnnl_success`.
@inline(__always)
func dnnlCheck(_ status: dnnl_status_t, _ call: StaticString, _ primitive: @autoclosure () -> String) throws {
    if status != dnnl_success {
        throw DNNLError(primitive: primitive(), cause: .status(call: "\(call)", status: DNNLError.statusName(status)))
    }
}
