import TestSupport
import XCTest
@testable import WeightFiles

final class UnpicklerTests: XCTestCase {
    private func load(_ bytes: [UInt8]) throws -> PickleValue {
        var unpickler = Unpickler(bytes: bytes, source: "test.pkl")
        return try unpickler.load()
    }

    func testTensorWithStridesAndOffsetIsDescribed() throws {
        var pickle = PickleBuilder()
        pickle.tensor(key: "0", storageCount: 12, offset: 2, size: [2, 3], stride: [1, 4])
        guard case let .tensor(tensor) = try load(pickle.finished()) else { return XCTFail("expected a tensor") }
        XCTAssertEqual(tensor.storage, StorageReference(key: "0", elementType: .float32, elementCount: 12))
        XCTAssertEqual(tensor.offset, 2)
        XCTAssertEqual(tensor.shape, [2, 3])
        XCTAssertEqual(tensor.strides, [1, 4])
        // Gathering storage 0..<12 with these strides: row r, column c -> 2 + r + 4c.
        let values = StridedViewArithmetic.gather((0..<12).map(Float.init), shape: [2, 3], strides: [1, 4], offset: 2)
        XCTAssertEqual(values, [2, 6, 10, 3, 7, 11])
    }

    func testTensorReachingPastItsStorageIsRejected() {
        var pickle = PickleBuilder()
        pickle.tensor(key: "0", storageCount: 6, offset: 1, size: [2, 3], stride: [3, 1])  // needs 7 elements
        guard case let .malformedPickle(_, _, reason) = assertThrows(WeightFileError.self, try load(pickle.finished())) else {
            return XCTFail("expected malformedPickle")
        }
        XCTAssertTrue(reason.contains("reaches past its storage"), reason)
    }

    func testForbiddenGlobalsAreRefusedBeforeAnyCall() {
        for (module, name) in [("builtins", "eval"), ("posix", "system"), ("torch", "load"), ("collections", "defaultdict")] {
            var pickle = PickleBuilder()
            pickle.global(module, name)
            pickle.string("print(1)")
            pickle.op(.tuple1)
            pickle.op(.reduce)
            let error = assertThrows(WeightFileError.self, try load(pickle.finished()))
            XCTAssertEqual(error, .forbiddenGlobal(source: "test.pkl", offset: 2, name: "\(module).\(name)"))
        }
    }

    func testStackGlobalIsCheckedToo() {
        var pickle = PickleBuilder()
        pickle.string("builtins")
        pickle.string("exec")
        pickle.op(.stack_global)
        guard case let .forbiddenGlobal(_, _, name) = assertThrows(WeightFileError.self, try load(pickle.finished())) else {
            return XCTFail("expected forbiddenGlobal")
        }
        XCTAssertEqual(name, "builtins.exec")
    }

    func testUnsupportedOpcodeIsNamedWithItsOffset() {
        var pickle = PickleBuilder()
        pickle.op(.empty_list)
        pickle.bytes += Array("i__main__\nEvil\n".utf8)  // INST at offset 3
        XCTAssertEqual(assertThrows(WeightFileError.self, try load(pickle.finished())),
                       .unsupportedOpcode(source: "test.pkl", offset: 3, opcode: "INST (0x69)"))
    }

    func testLengthBeyondTheFileIsTruncation() {
        var pickle = PickleBuilder()
        pickle.op(.binunicode)
        pickle.bytes += [0xFF, 0xFF, 0xFF, 0x7F, 0x41]  // claims 2 GiB, has one byte
        guard case let .truncated(_, offset, _) = assertThrows(WeightFileError.self, try load(pickle.finished())) else {
            return XCTFail("expected truncated")
        }
        XCTAssertEqual(offset, 7)
    }

    func testNestingIsBounded() {
        var pickle = PickleBuilder()
        pickle.op(.none)
        for _ in 0..<(Unpickler.maximumDepth + 1) { pickle.op(.tuple1) }
        guard case .malformedPickle = assertThrows(WeightFileError.self, try load(pickle.finished())) else {
            return XCTFail("expected malformedPickle for deep nesting")
        }
    }

    func testContainerCannotChangeAfterBeingNested() {
        // a = []; t = (a,); a.append(None): a changes after being nested.
        var nested = PickleBuilder()
        nested.op(.empty_list)
        nested.bytes += [PickleOpcode.binput.rawValue, 0]
        nested.op(.tuple1)
        nested.bytes += [PickleOpcode.binget.rawValue, 0]
        nested.op(.none)
        nested.op(.append)
        // a = []; a.append(a): a cycle.
        var cycle = PickleBuilder()
        cycle.op(.empty_list)
        cycle.bytes += [PickleOpcode.binput.rawValue, 0, PickleOpcode.binget.rawValue, 0]
        cycle.op(.append)
        for pickle in [nested, cycle] {
            guard case let .malformedPickle(_, _, reason) = assertThrows(WeightFileError.self, try load(pickle.finished())) else {
                return XCTFail("expected malformedPickle")
            }
            XCTAssertTrue(reason.contains("after being nested"), reason)
        }
    }

    func testUnknownMemoIndexAndStackUnderflowAreErrors() {
        var recall = PickleBuilder()
        recall.op(.binget)
        recall.bytes.append(9)
        XCTAssertNotNil(assertThrows(WeightFileError.self, try load(recall.finished())))
        var underflow = PickleBuilder()
        underflow.op(.reduce)
        XCTAssertNotNil(assertThrows(WeightFileError.self, try load(underflow.finished())))
    }

    func testPython2OrderedDictFromListOfPairs() throws {
        // OrderedDict([["b", 2], ["a", 1]]), as Python 2.7's OrderedDict.__reduce__ pickles it.
        var pickle = PickleBuilder()
        pickle.global("collections", "OrderedDict")
        pickle.op(.empty_list)
        pickle.op(.mark)
        for (key, value) in [("b", 2), ("a", 1)] {
            pickle.op(.empty_list)
            pickle.op(.mark)
            pickle.string(key)
            pickle.int(value)
            pickle.op(.appends)
        }
        pickle.op(.appends)
        pickle.op(.tuple1)
        pickle.op(.reduce)
        guard case let .dict(dict) = try load(pickle.finished()) else { return XCTFail("expected a dict") }
        XCTAssertEqual(dict.keys, [.string("b"), .string("a")])
        guard case .int(2)? = dict[.string("b")], case .int(1)? = dict[.string("a")] else { return XCTFail("wrong values") }
    }

    func testLongIntegersDecodeWithSign() throws {
        var pickle = PickleBuilder()
        pickle.op(.mark)
        pickle.bytes += [PickleOpcode.long1.rawValue, 2, 0x00, 0xFF]  // -256
        pickle.bytes += [PickleOpcode.long1.rawValue, 0]              // 0
        pickle.bytes += [PickleOpcode.long1.rawValue, 1, 0x7F]        // 127
        pickle.op(.tuple)
        guard case let .tuple(tuple) = try load(pickle.finished()) else { return XCTFail("expected a tuple") }
        let numbers = tuple.items.compactMap { item -> Int? in if case let .int(number) = item { return number }; return nil }
        XCTAssertEqual(numbers, [-256, 0, 127])
    }
}
