import Foundation
import ToolkitSupport

/// Reads the state dict of a PyTorch checkpoint (`torch.save` output) without Python, treating the
/// file as untrusted: only allowlisted pickle globals are accepted (like `torch.load(weights_only=True)`),
/// nothing in the file is ever executed, and no read or allocation goes beyond the bytes present.
///
/// Both formats are supported: the zip format (PyTorch ≥ 1.6) and the legacy format (older torchvision
/// files such as VGG and DenseNet). Tensors are converted to `Float`; see `NamedArray`. When the file
/// holds a dict wrapping the state dict (`{"state_dict": ...}`), see `StateDictAssembly` for which is picked.
public enum PyTorchCheckpoint {
    /// Reads the checkpoint at `url`.
    public static func read(from url: URL) throws -> StateDict {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightFileError.unreadable(source: url.path, reason: FileReadFailure.reason(url, error))
        }
        return try read(data: data, source: url.path)
    }

    /// Reads a checkpoint held in memory; `source` names it in errors.
    public static func read(data: Data, source: String) throws -> StateDict {
        let bytes = [UInt8](data)
        if ZipArchive.hasSignature(bytes) {
            return try readZip(bytes, source: source)
        }
        if bytes.first == PickleOpcode.proto.rawValue {
            return try readLegacy(bytes, source: source)
        }
        if bytes.count >= 262, bytes[257..<262].elementsEqual("ustar".utf8) {
            throw WeightFileError.notACheckpoint(source: source, reason: "tar-format checkpoints (PyTorch < 0.4) are not supported")
        }
        throw WeightFileError.notACheckpoint(source: source, reason: "neither a zip archive nor a legacy pickle")
    }

    // MARK: - Zip format

    /// `<archive>/data.pkl` holds the pickle; `<archive>/data/<key>` holds each storage's raw bytes.
    private static func readZip(_ bytes: [UInt8], source: String) throws -> StateDict {
        let archive = try ZipArchive(bytes: bytes, source: source)
        guard let pickleName = archive.names.filter({ $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }).min(by: { $0.count < $1.count }),
              let pickle = try archive.contents(of: pickleName) else {
            throw WeightFileError.notACheckpoint(source: source, reason: "the zip archive has no data.pkl member")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if let order = try archive.contents(of: prefix + "byteorder") {
            let text = String(decoding: bytes[order], as: UTF8.self)
            guard text == "little" else {
                throw WeightFileError.unsupportedDType(source: source, dtype: "byte order '\(text)' (only little-endian files are supported)")
            }
        }
        var unpickler = Unpickler(bytes: bytes, source: "\(source):\(pickleName)", start: pickle.lowerBound, end: pickle.upperBound)
        let root = try unpickler.load()
        let entries = try StateDictAssembly.tensorEntries(in: root, source: source)
        var ranges: [String: Range<Int>] = [:]
        for storage in Set(entries.map(\.tensor.storage.key)).compactMap({ unpickler.storages[$0] }) {
            guard let range = try archive.contents(of: prefix + "data/" + storage.key) else {
                throw WeightFileError.storageMissing(source: source, key: storage.key)
            }
            try checkStorageSize(storage, byteCount: range.count, source: source)
            ranges[storage.key] = range
        }
        return try StateDictAssembly.materialize(entries, bytes: bytes, storageRanges: ranges, source: source)
    }

    // MARK: - Legacy format

    /// The first pickle of a legacy checkpoint: PyTorch's magic number 0x1950a86a20f9469cfc6c,
    /// as the little-endian bytes of a pickled LONG1.
    private static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    private static let legacyProtocolVersion = 1001

    /// Pickles of: magic number, protocol version, system info, the object, the list of storage keys;
    /// then each storage as an 8-byte little-endian element count followed by its raw elements.
    private static func readLegacy(_ bytes: [UInt8], source: String) throws -> StateDict {
        var unpickler = Unpickler(bytes: bytes, source: source)
        guard case let .bigInt(magic) = try unpickler.load(), magic == legacyMagic else {
            throw WeightFileError.notACheckpoint(source: source, reason: "a pickle without PyTorch's magic number")
        }
        guard case let .int(version) = try unpickler.load(), version == legacyProtocolVersion else {
            throw WeightFileError.notACheckpoint(source: source, reason: "unknown legacy protocol version")
        }
        if case let .dict(systemInfo) = try unpickler.load(),
           let little = systemInfo[.string("little_endian")], case .bool(false) = little {
            throw WeightFileError.unsupportedDType(source: source, dtype: "big-endian data (only little-endian files are supported)")
        }
        let root = try unpickler.load()
        let entries = try StateDictAssembly.tensorEntries(in: root, source: source)
        let keysOffset = unpickler.position
        guard case let .list(keyList) = try unpickler.load() else {
            throw WeightFileError.malformedPickle(source: source, offset: keysOffset, reason: "the storage key list is not a list")
        }
        var cursor = ByteCursor(bytes: bytes, source: source, start: unpickler.position)
        var ranges: [String: Range<Int>] = [:]
        for item in keyList.items {
            guard case let .string(key) = item else {
                throw WeightFileError.malformedPickle(source: source, offset: keysOffset, reason: "a storage key is a \(item.typeName)")
            }
            guard let storage = unpickler.storages[key] else { throw WeightFileError.storageMissing(source: source, key: key) }
            let countOffset = cursor.position
            let count = try cursor.count(try cursor.littleEndian(UInt64.self, "storage \(key) element count"), "storage \(key)", at: countOffset)
            guard count == storage.elementCount else {
                throw WeightFileError.badTensor(source: source, name: "storage \(key)",
                                                reason: "holds \(count) elements where the pickle says \(storage.elementCount)")
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: storage.elementType.byteCount)
            guard !overflow else { throw WeightFileError.truncated(source: source, offset: countOffset, needed: "storage \(key)") }
            ranges[key] = try cursor.take(byteCount, "storage \(key)")
        }
        return try StateDictAssembly.materialize(entries, bytes: bytes, storageRanges: ranges, source: source)
    }

    private static func checkStorageSize(_ storage: StorageReference, byteCount: Int, source: String) throws {
        let (expected, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.elementType.byteCount)
        guard !overflow, expected == byteCount else {
            throw WeightFileError.badTensor(source: source, name: "storage \(storage.key)",
                                            reason: "has \(byteCount) bytes where the pickle says \(storage.elementCount) \(storage.elementType.rawValue) elements")
        }
    }
}
