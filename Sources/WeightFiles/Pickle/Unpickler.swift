import Foundation

/// A restricted pickle machine for checkpoint files (untrusted input).
///
/// It implements only the opcodes that pickled state dicts use, resolves only allowlisted globals
/// (`AllowedGlobal`), and calls nothing: "calling" an allowed global builds a dict or a tensor
/// description. Every read is bounds-checked (a length past the end is `.truncated` at its offset); the
/// stack and the memo gain at most one entry per opcode, so they are bounded by the pickle's length;
/// lists and dicts are frozen once nested, so objects form no cycles and nest at most `maximumDepth` deep.
struct Unpickler {
    /// Deepest nesting of tuples, lists and dicts accepted (state dicts need 3 or 4).
    static let maximumDepth = 100

    private var cursor: ByteCursor
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Offset of the opcode being executed, for error messages.
    private var opcodeOffset = 0
    /// Storages named by persistent ids so far, by storage key.
    private(set) var storages: [String: StorageReference] = [:]

    /// Prepares to read one pickle from `bytes[start..<end]`.
    init(bytes: [UInt8], source: String, start: Int = 0, end: Int? = nil) {
        cursor = ByteCursor(bytes: bytes, source: source, start: start, end: end)
    }

    /// Offset just past the last pickle read.
    var position: Int { cursor.position }

    /// Reads one pickle up to its STOP opcode and returns its object; the machine can then read the next.
    mutating func load() throws -> PickleValue {
        stack.removeAll()
        marks.removeAll()
        memo.removeAll()
        while true {
            opcodeOffset = cursor.position
            let byte = try cursor.byte("pickle opcode")
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw WeightFileError.unsupportedOpcode(source: cursor.source, offset: opcodeOffset, opcode: PickleOpcode.describe(byte))
            }
            if opcode == .stop {
                guard stack.count == 1, marks.isEmpty else {
                    throw malformed("STOP with \(stack.count) objects on the stack and \(marks.count) open marks")
                }
                return stack[0]
            }
            try execute(opcode)
        }
    }

    // MARK: - Opcodes

    private mutating func execute(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .proto:
            let version = try cursor.byte("protocol version")
            guard version <= 5 else { throw malformed("unknown protocol version \(version)") }
        case .frame:
            let length = try cursor.littleEndian(UInt64.self, "frame length")
            guard length <= UInt64(cursor.remaining) else {
                throw WeightFileError.truncated(source: cursor.source, offset: opcodeOffset, needed: "frame of \(length) bytes")
            }
        case .mark: marks.append(stack.count)
        case .none: push(.none)
        case .newtrue: push(.bool(true))
        case .newfalse: push(.bool(false))
        case .binint: push(.int(Int(Int32(bitPattern: try cursor.littleEndian(UInt32.self, "BININT")))))
        case .binint1: push(.int(Int(try cursor.byte("BININT1"))))
        case .binint2: push(.int(Int(try cursor.littleEndian(UInt16.self, "BININT2"))))
        case .long1: try pushLong(byteCount: Int(try cursor.byte("LONG1 length")))
        case .long4: try pushLong(byteCount: Int(Int32(bitPattern: try cursor.littleEndian(UInt32.self, "LONG4 length"))))
        case .binfloat:
            let range = try cursor.take(8, "BINFLOAT")
            let bits = range.reduce(UInt64(0)) { ($0 << 8) | UInt64(cursor.bytes[$1]) }  // big-endian
            push(.float(Double(bitPattern: bits)))
        case .short_binunicode, .short_binstring: push(.string(try readText(length: Int(try cursor.byte("string length")))))
        case .binunicode: push(.string(try readText(length: Int(try cursor.littleEndian(UInt32.self, "string length")))))
        case .binstring: push(.string(try readText(length: Int(Int32(bitPattern: try cursor.littleEndian(UInt32.self, "string length"))))))
        case .binunicode8: push(.string(try readText(length: try readLength64())))
        case .short_binbytes: push(.bytes(try readBytes(length: Int(try cursor.byte("bytes length")))))
        case .binbytes: push(.bytes(try readBytes(length: Int(try cursor.littleEndian(UInt32.self, "bytes length")))))
        case .binbytes8: push(.bytes(try readBytes(length: try readLength64())))
        case .empty_tuple: push(.tuple(PickleTuple([])))
        case .tuple1, .tuple2, .tuple3:
            let count = Int(opcode.rawValue - PickleOpcode.tuple1.rawValue) + 1
            var items: [PickleValue] = []
            for _ in 0..<count { items.insert(try pop(), at: 0) }
            push(try makeTuple(items))
        case .tuple:
            let items = try popToMark()
            push(try makeTuple(items))
        case .empty_list: push(.list(PickleList()))
        case .empty_dict: push(.dict(PickleDict()))
        case .append:
            let item = try pop()
            try append([item])
        case .appends:
            let items = try popToMark()
            try append(items)
        case .setitem:
            let value = try pop()
            let key = try pop()
            try setItems([key, value])
        case .setitems:
            let items = try popToMark()
            try setItems(items)
        case .binput: try memoize(index: Int(try cursor.byte("memo index")))
        case .long_binput: try memoize(index: Int(try cursor.littleEndian(UInt32.self, "memo index")))
        case .memoize: try memoize(index: memo.count)
        case .binget: try recall(index: Int(try cursor.byte("memo index")))
        case .long_binget: try recall(index: Int(try cursor.littleEndian(UInt32.self, "memo index")))
        case .global:
            let module = try readLine("GLOBAL module")
            let name = try readLine("GLOBAL name")
            push(try resolveGlobal(module: module, name: name))
        case .stack_global:
            let name = try pop()
            let module = try pop()
            guard case let .string(moduleText) = module, case let .string(nameText) = name else {
                throw malformed("STACK_GLOBAL needs two strings, found \(module.typeName) and \(name.typeName)")
            }
            push(try resolveGlobal(module: moduleText, name: nameText))
        case .reduce:
            let arguments = try pop()
            let callable = try pop()
            push(try call(callable, arguments))
        case .newobj:
            let arguments = try pop()
            let type = try pop()
            guard case .global(.orderedDict) = type, case let .tuple(tuple) = arguments, tuple.items.isEmpty else {
                throw malformed("NEWOBJ is supported only for an empty OrderedDict, not \(type.typeName)")
            }
            push(.dict(PickleDict()))
        case .build:
            let state = try pop()
            seal(state)
            switch try top() {
            case .dict, .tensor: break  // OrderedDict `_metadata` and tensor attributes do not affect values
            case let target: throw malformed("BUILD on \(target.typeName) is not supported")
            }
        case .binpersid:
            let identifier = try pop()
            seal(identifier)
            push(try persistentLoad(identifier))
        default:
            throw WeightFileError.unsupportedOpcode(source: cursor.source, offset: opcodeOffset, opcode: PickleOpcode.describe(opcode.rawValue))
        }
    }

    // MARK: - Stack and memo

    private mutating func push(_ value: PickleValue) {
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw malformed("stack underflow") }
        return stack.removeLast()
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw malformed("stack underflow") }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK before a mark-terminated opcode") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func memoize(index: Int) throws {
        memo[index] = try top()
    }

    private mutating func recall(index: Int) throws {
        guard let value = memo[index] else { throw malformed("memo index \(index) was never stored") }
        push(value)
    }

    // MARK: - Containers

    /// Marks a list or dict as nested: it may not change from now on.
    private func seal(_ value: PickleValue) {
        switch value {
        case let .list(list): list.seal()
        case let .dict(dict): dict.seal()
        default: break
        }
    }

    private func makeTuple(_ items: [PickleValue]) throws -> PickleValue {
        items.forEach(seal)
        let tuple = PickleTuple(items)
        try checkDepth(tuple.depth)
        return .tuple(tuple)
    }

    private func checkDepth(_ depth: Int) throws {
        guard depth <= Self.maximumDepth else { throw malformed("objects nested deeper than \(Self.maximumDepth) levels") }
    }

    /// The container on top of the stack, which `items` (already popped) are about to enter.
    private func mutableTarget(receiving items: [PickleValue]) throws -> PickleContainer {
        items.forEach(seal)
        let target = try top()
        let container: PickleContainer
        switch target {
        case let .list(list): container = list
        case let .dict(dict): container = dict
        default: throw malformed("cannot add items to \(target.typeName)")
        }
        guard !container.isSealed else { throw malformed("a \(target.typeName) changed after being nested in another object") }
        for item in items { container.noteChild(item) }
        try checkDepth(container.depth)
        return container
    }

    private func append(_ items: [PickleValue]) throws {
        guard let list = try mutableTarget(receiving: items) as? PickleList else {
            throw malformed("APPEND to \(try top().typeName)")
        }
        list.items.append(contentsOf: items)
    }

    private func setItems(_ items: [PickleValue]) throws {
        guard items.count.isMultiple(of: 2) else { throw malformed("SETITEMS with an odd number of objects") }
        guard let dict = try mutableTarget(receiving: items) as? PickleDict else {
            throw malformed("SETITEM on \(try top().typeName)")
        }
        for pair in stride(from: 0, to: items.count, by: 2) {
            guard let key = PickleKey(items[pair]) else { throw malformed("unsupported dict key of type \(items[pair].typeName)") }
            dict.set(key, items[pair + 1])
        }
    }

    // MARK: - Scalars

    private mutating func pushLong(byteCount: Int) throws {
        let range = try cursor.take(byteCount, "LONG bytes")
        let bytes = Array(cursor.bytes[range])
        guard byteCount <= 8 else {
            push(.bigInt(bytes))
            return
        }
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * index) }
        if byteCount > 0, byteCount < 8, bytes[byteCount - 1] & 0x80 != 0 {
            value |= UInt64.max << (8 * byteCount)  // sign-extend
        }
        push(.int(Int(Int64(bitPattern: value))))
    }

    private mutating func readLength64() throws -> Int {
        let offset = cursor.position
        return try cursor.count(try cursor.littleEndian(UInt64.self, "length"), "string", at: offset)
    }

    private mutating func readBytes(length: Int) throws -> [UInt8] {
        Array(cursor.bytes[try cursor.take(length, "string or bytes")])
    }

    private mutating func readText(length: Int) throws -> String {
        let bytes = try readBytes(length: length)
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw malformed("string is not UTF-8") }
        return text
    }

    /// A newline-terminated ASCII line (GLOBAL's operands), at most 256 bytes.
    private mutating func readLine(_ what: String) throws -> String {
        let start = cursor.position
        let limit = min(cursor.end, start + 256)
        guard let newline = cursor.bytes[start..<limit].firstIndex(of: 0x0A) else {
            throw WeightFileError.truncated(source: cursor.source, offset: start, needed: "\(what) line")
        }
        let line = try cursor.take(newline - start + 1, what)
        let bytes = cursor.bytes[line.lowerBound..<(line.upperBound - 1)]
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw malformed("\(what) is not printable ASCII") }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Globals, calls and persistent ids

    private func resolveGlobal(module: String, name: String) throws -> PickleValue {
        guard let global = AllowedGlobal(module: module, name: name) else {
            throw WeightFileError.forbiddenGlobal(source: cursor.source, offset: opcodeOffset, name: "\(module).\(name)")
        }
        return .global(global)
    }

    private func call(_ callable: PickleValue, _ argumentValue: PickleValue) throws -> PickleValue {
        guard case let .global(global) = callable else { throw malformed("REDUCE on \(callable.typeName), which is not callable") }
        guard case let .tuple(tuple) = argumentValue else { throw malformed("REDUCE arguments are a \(argumentValue.typeName), not a tuple") }
        let arguments = tuple.items
        switch global {
        case .orderedDict:
            return .dict(try orderedDict(arguments))
        case .rebuildTensor, .rebuildTensorV2:
            let counts = global == .rebuildTensor ? 4...4 : 6...7
            guard counts.contains(arguments.count) else {
                throw malformed("\(global.qualifiedName) takes \(counts) arguments, got \(arguments.count)")
            }
            return .tensor(try rebuildTensor(arguments))
        case .rebuildParameter, .rebuildParameterWithState:
            let count = global == .rebuildParameter ? 3 : 4
            guard arguments.count == count, case .tensor = arguments[0] else {
                throw malformed("\(global.qualifiedName) takes a tensor and \(count - 1) more arguments")
            }
            return arguments[0]
        case .storageClass:
            throw malformed("\(global.qualifiedName) may appear only in a persistent id")
        }
    }

    /// `OrderedDict()` or, as Python 2 pickled it, `OrderedDict([[key, value], ...])`.
    private func orderedDict(_ arguments: [PickleValue]) throws -> PickleDict {
        let dict = PickleDict()
        guard let items = arguments.first else { return dict }
        let pairs: [PickleValue]
        switch (items, arguments.count) {
        case let (.list(list), 1): pairs = list.items
        case let (.tuple(tuple), 1): pairs = tuple.items
        default: throw malformed("OrderedDict takes no argument or a list of pairs")
        }
        for pair in pairs {
            let fields: [PickleValue]
            switch pair {
            case let .list(list): fields = list.items
            case let .tuple(tuple): fields = tuple.items
            default: throw malformed("OrderedDict item is a \(pair.typeName), not a pair")
            }
            guard fields.count == 2, let key = PickleKey(fields[0]) else { throw malformed("OrderedDict item is not a (key, value) pair") }
            dict.noteChild(fields[1])
            dict.set(key, fields[1])
        }
        return dict
    }

    /// Builds the tensor of `_rebuild_tensor(_v2)` after checking it lies inside its storage.
    private func rebuildTensor(_ arguments: [PickleValue]) throws -> TensorReference {
        guard case let .storage(storage) = arguments[0] else { throw malformed("tensor storage is a \(arguments[0].typeName)") }
        guard case let .int(offset) = arguments[1], offset >= 0 else { throw malformed("tensor storage offset is not a non-negative int") }
        let shape = try nonNegativeInts(arguments[2], "tensor size")
        let strides = try nonNegativeInts(arguments[3], "tensor stride")
        guard shape.count == strides.count else { throw malformed("tensor size \(shape) and stride \(strides) differ in length") }
        guard let extent = StridedViewArithmetic.extent(shape: shape, strides: strides, offset: offset),
              extent <= storage.elementCount else {
            throw malformed("tensor of size \(shape), stride \(strides), offset \(offset) reaches past its storage of \(storage.elementCount) elements")
        }
        return TensorReference(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    private func nonNegativeInts(_ value: PickleValue, _ what: String) throws -> [Int] {
        guard case let .tuple(tuple) = value else { throw malformed("\(what) is a \(value.typeName), not a tuple") }
        return try tuple.items.map { item in
            guard case let .int(number) = item, number >= 0 else { throw malformed("\(what) holds \(item.typeName) that is not a non-negative int") }
            return number
        }
    }

    /// Resolves `("storage", storage class, key, location, element count[, view metadata])`.
    private mutating func persistentLoad(_ identifier: PickleValue) throws -> PickleValue {
        guard case let .tuple(tuple) = identifier, let tag = tuple.items.first else {
            throw malformed("persistent id is a \(identifier.typeName), not a tuple")
        }
        let items = tuple.items
        guard case let .string(kind) = tag, kind == "storage" else {
            throw malformed("unsupported persistent id (first field \(tag.typeName)); only storages are supported")
        }
        guard items.count == 5 || (items.count == 6 && { if case .none = items[5] { return true }; return false }()) else {
            throw malformed("storage persistent id has \(items.count) fields or a storage view, which is not supported")
        }
        guard case let .global(.storageClass(type)) = items[1] else { throw malformed("storage type is \(items[1].typeName)") }
        guard case let .string(key) = items[2] else { throw malformed("storage key is a \(items[2].typeName)") }
        guard case let .int(count) = items[4], count >= 0 else { throw malformed("storage element count is not a non-negative int") }
        let storage = StorageReference(key: key, elementType: type, elementCount: count)
        if let earlier = storages[key], earlier != storage {
            throw malformed("storage '\(key)' is named twice with different types or sizes")
        }
        storages[key] = storage
        return .storage(storage)
    }

    private func malformed(_ reason: String) -> WeightFileError {
        .malformedPickle(source: cursor.source, offset: opcodeOffset, reason: reason)
    }
}
