import Foundation

/// libFuzzer entry point for the weight-file readers; built by scripts/fuzz-checkpoints.sh together with
/// the WeightFiles sources (one module, so internal types are visible). Each input is read as a
/// checkpoint (zip or legacy), as a safetensors file, and as a bare sequence of pickles. Errors are
/// expected; a crash, a sanitizer report, a leak or a timeout is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let data = Data(bytes)
    if let dict = try? PyTorchCheckpoint.read(data: data, source: "fuzz") {
        precondition(dict.values.allSatisfy { $0.values.count == $0.elementCount }, "tensor values disagree with its shape")
    }
    if let contents = try? SafeTensors.decode(data, source: "fuzz") {
        precondition(contents.tensors.values.allSatisfy { $0.values.count == $0.elementCount }, "tensor values disagree with its shape")
    }
    var unpickler = Unpickler(bytes: bytes, source: "fuzz")
    while unpickler.position < bytes.count, let root = try? unpickler.load() {
        _ = try? StateDictAssembly.tensorEntries(in: root, source: "fuzz")
    }
    return 0
}
