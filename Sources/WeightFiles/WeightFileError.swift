import Foundation

/// Why a weight file (PyTorch checkpoint or safetensors) could not be read or written.
///
/// Every case names the file (`source`) and, where it applies, the byte offset of the fault.
public enum WeightFileError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be opened or read.
    case unreadable(source: String, reason: String)
    /// The bytes end before a structure that starts at `offset` is complete.
    case truncated(source: String, offset: Int, needed: String)
    /// The bytes are neither a zip nor a legacy PyTorch checkpoint.
    case notACheckpoint(source: String, reason: String)
    /// The zip container is malformed or uses a feature this reader does not support.
    case badZip(source: String, offset: Int, reason: String)
    /// A pickle opcode outside the subset that state dicts use.
    case unsupportedOpcode(source: String, offset: Int, opcode: String)
    /// A pickle names a global outside the allowlist (e.g. `posix.system`); nothing was called.
    case forbiddenGlobal(source: String, offset: Int, name: String)
    /// The pickle is well-formed bytewise but its objects do not make sense (wrong types, bad stack).
    case malformedPickle(source: String, offset: Int, reason: String)
    /// A tensor element type this reader cannot convert to Float.
    case unsupportedDType(source: String, dtype: String)
    /// A tensor refers to a storage that is not in the file.
    case storageMissing(source: String, key: String)
    /// A tensor's size, stride or offset reaches outside its storage, or a size overflows.
    case badTensor(source: String, name: String, reason: String)
    /// The file holds no dictionary of tensors that could be a state dict.
    case noStateDict(source: String, reason: String)
    /// The safetensors header is malformed or inconsistent with the data.
    case badSafeTensors(source: String, reason: String)
    /// Writing the file failed.
    case unwritable(source: String, reason: String)
    /// A tensor holds NaN or an infinity (a diverged training, a damaged file): never stored or loaded.
    case nonFinite(source: String, tensor: String, index: Int, value: Float)

    public var description: String {
        switch self {
        case let .unreadable(source, reason):
            return "\(source): cannot read file: \(reason)"
        case let .truncated(source, offset, needed):
            return "\(source): truncated at byte \(offset): \(needed) runs past the end of the file"
        case let .notACheckpoint(source, reason):
            return "\(source): not a PyTorch checkpoint: \(reason)"
        case let .badZip(source, offset, reason):
            return "\(source): bad zip archive at byte \(offset): \(reason)"
        case let .unsupportedOpcode(source, offset, opcode):
            return "\(source): unsupported pickle opcode \(opcode) at byte \(offset)"
        case let .forbiddenGlobal(source, offset, name):
            return "\(source): pickle at byte \(offset) names the forbidden global \(name); refusing to load"
        case let .malformedPickle(source, offset, reason):
            return "\(source): malformed pickle at byte \(offset): \(reason)"
        case let .unsupportedDType(source, dtype):
            return "\(source): unsupported tensor element type \(dtype)"
        case let .storageMissing(source, key):
            return "\(source): tensor storage '\(key)' is missing from the file"
        case let .badTensor(source, name, reason):
            return "\(source): tensor \(name): \(reason)"
        case let .noStateDict(source, reason):
            return "\(source): no state dict found: \(reason)"
        case let .badSafeTensors(source, reason):
            return "\(source): bad safetensors file: \(reason)"
        case let .unwritable(source, reason):
            return "\(source): cannot write file: \(reason)"
        case let .nonFinite(source, tensor, index, value):
            return "\(source): tensor \(tensor) holds \(value) at element \(index); weights must be finite"
        }
    }

    public var errorDescription: String? { description }
}
