import Foundation

/// libFuzzer entry point for the weight-file readers; built by scripts/fuzz-checkpoints.sh together with
/// the WeightFiles sources (one module, so internal types are visible). Each input is read
/// 1. as a checkpoint file (zip or legacy) and as a safetensors file;
/// 2. as a bare sequence of pickles;
/// 3. as the data.pkl of a well-formed zip checkpoint whose storage members have the sizes the pickle
///    names (filled from the input), so that fuzzed pickles reach tensor assembly past the CRC checks.
/// Errors are expected; a crash, a sanitizer report, a leak or a timeout is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let data = Data(bytes)
    if let dict = try? PyTorchCheckpoint.read(data: data, source: "fuzz") {
        checkConsistent(dict)
    }
    if let contents = try? SafeTensors.decode(data, source: "fuzz") {
        checkConsistent(contents.tensors)
    }
    var unpickler = Unpickler(bytes: bytes, source: "fuzz")
    while unpickler.position < bytes.count, let root = try? unpickler.load() {
        _ = try? StateDictAssembly.tensorEntries(in: root, source: "fuzz")
    }
    if let archive = zipCheckpoint(pickle: bytes),
       let dict = try? PyTorchCheckpoint.read(data: Data(archive), source: "fuzz-zip") {
        checkConsistent(dict)
    }
    return 0
}

/// Storage members larger than this are not synthesized.
private let largestSynthesizedStorage = 1 << 20

/// A zip checkpoint holding `pickle` as `archive/data.pkl` and, for each storage it names, a member of
/// the right size filled by repeating the pickle's bytes; nil if the pickle does not load.
private func zipCheckpoint(pickle: [UInt8]) -> [UInt8]? {
    var probe = Unpickler(bytes: pickle, source: "probe")
    guard (try? probe.load()) != nil, !pickle.isEmpty else { return nil }
    var members: [(name: String, bytes: [UInt8])] = [("archive/data.pkl", pickle), ("archive/byteorder", Array("little".utf8))]
    for storage in probe.storages.values {
        let (size, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.elementType.byteCount)
        guard !overflow, size <= largestSynthesizedStorage else { continue }
        members.append(("archive/data/\(storage.key)", (0..<size).map { pickle[$0 % pickle.count] }))
    }
    return StoredZipWriter.archive(members)
}

private func checkConsistent(_ dict: StateDict) {
    precondition(dict.values.allSatisfy { $0.values.count == $0.elementCount }, "tensor values disagree with its shape")
}
