import Foundation
import TestSupport
import XCTest
@testable import WeightFiles

/// The fixtures written by scripts/fixtures/checkpoints.py (PyTorch).
let fixtures = FixtureFolder(.module)

extension FixtureFolder {
    /// The tensors PyTorch wrote into expected.json under `group` ("small" or "densenet_style").
    func expected(_ group: String) throws -> StateDict {
        let object = try JSONSerialization.jsonObject(with: data("expected.json"))
        let groups = try XCTUnwrap(object as? [String: Any])
        let tensors = try XCTUnwrap(groups[group] as? [String: [String: Any]])
        var result: StateDict = [:]
        for (name, tensor) in tensors {
            let shape = try XCTUnwrap(tensor["shape"] as? [Int])
            let values = try XCTUnwrap(tensor["values"] as? [Double]).map { Float($0) }
            result[name] = NamedArray(shape: shape, values: values)
        }
        return result
    }
}

/// A deterministic SplitMix64 stream for choosing fuzzing offsets in tests (the test target does not
/// depend on Randomness, and this stream fixes which offsets the fuzzing tests try).
struct TestByteStream {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Builds pickle bytes opcode by opcode for tests of the unpickler.
struct PickleBuilder {
    var bytes: [UInt8] = [PickleOpcode.proto.rawValue, 2]

    mutating func op(_ opcode: PickleOpcode) { bytes.append(opcode.rawValue) }

    mutating func int(_ value: Int) {
        if (0..<256).contains(value) {
            bytes += [PickleOpcode.binint1.rawValue, UInt8(value)]
        } else {
            op(.binint)
            withUnsafeBytes(of: Int32(value).littleEndian) { bytes += $0 }
        }
    }

    mutating func string(_ text: String) {
        op(.binunicode)
        withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(text.utf8)
    }

    mutating func global(_ module: String, _ name: String) {
        op(.global)
        bytes += Array("\(module)\n\(name)\n".utf8)
    }

    /// Pushes a tuple of small non-negative ints.
    mutating func intTuple(_ values: [Int]) {
        op(.mark)
        values.forEach { int($0) }
        op(.tuple)
    }

    /// Pushes the persistent id of a float32 storage and resolves it (BINPERSID).
    mutating func floatStorage(key: String, count: Int) {
        op(.mark)
        string("storage")
        global("torch", "FloatStorage")
        string(key)
        string("cpu")
        int(count)
        op(.tuple)
        op(.binpersid)
    }

    /// Pushes `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`.
    mutating func tensor(key: String, storageCount: Int, offset: Int, size: [Int], stride: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        op(.mark)
        floatStorage(key: key, count: storageCount)
        int(offset)
        intTuple(size)
        intTuple(stride)
        op(.newfalse)
        global("collections", "OrderedDict")
        op(.empty_tuple)
        op(.reduce)
        op(.tuple)
        op(.reduce)
    }

    func finished() -> [UInt8] { bytes + [PickleOpcode.stop.rawValue] }
}
