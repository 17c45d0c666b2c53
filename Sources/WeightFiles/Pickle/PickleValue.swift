/// An object built by the restricted unpickler. Only what state dicts contain can be represented.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as little-endian two's-complement bytes (the legacy magic number).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    /// An allowlisted global, not yet called.
    case global(AllowedGlobal)
    /// A storage named by a persistent id; its bytes live outside the pickle.
    case storage(StorageReference)
    /// A tensor view of a storage.
    case tensor(TensorReference)

    /// Nesting depth (scalars 0); bounded so that no traversal or deallocation recurses deeply.
    var depth: Int {
        switch self {
        case let .tuple(tuple): return tuple.depth
        case let .list(list): return list.depth
        case let .dict(dict): return dict.depth
        default: return 0
        }
    }

    /// A short type name for error messages.
    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(global): return global.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A hashable dictionary key. Pickled state dicts use strings (optimizer states use ints).
enum PickleKey: Hashable {
    case none
    case bool(Bool)
    case int(Int)
    case string(String)
    case bytes([UInt8])

    init?(_ value: PickleValue) {
        switch value {
        case .none: self = .none
        case let .bool(flag): self = .bool(flag)
        case let .int(number): self = .int(number)
        case let .string(text): self = .string(text)
        case let .bytes(data): self = .bytes(data)
        default: return nil
        }
    }

    /// The key as text, for error messages and dotted names.
    var text: String {
        switch self {
        case .none: return "None"
        case let .bool(flag): return flag ? "True" : "False"
        case let .int(number): return String(number)
        case let .string(text): return text
        case let .bytes(data): return "b'\(String(decoding: data, as: UTF8.self))'"
        }
    }
}

/// An immutable pickled tuple; its depth is computed once.
final class PickleTuple {
    let items: [PickleValue]
    let depth: Int

    init(_ items: [PickleValue]) {
        self.items = items
        self.depth = 1 + (items.map(\.depth).max() ?? 0)
    }
}

/// A mutable container of the unpickler. It is sealed when placed inside another object, and a sealed
/// container can no longer change: objects therefore form an acyclic graph whose depth is known.
class PickleContainer {
    private(set) var isSealed = false
    private(set) var depth = 1

    func seal() { isSealed = true }

    /// Records that `child` was added (the caller checked that self is not sealed).
    func noteChild(_ child: PickleValue) {
        depth = max(depth, 1 + child.depth)
    }
}

/// A pickled list.
final class PickleList: PickleContainer {
    var items: [PickleValue] = []
}

/// A pickled dict or OrderedDict, in insertion order.
final class PickleDict: PickleContainer {
    private(set) var keys: [PickleKey] = []
    private(set) var values: [PickleValue] = []
    private var index: [PickleKey: Int] = [:]

    /// Inserts or replaces, keeping the first insertion's position as Python does.
    func set(_ key: PickleKey, _ value: PickleValue) {
        if let position = index[key] {
            values[position] = value
        } else {
            index[key] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    subscript(key: PickleKey) -> PickleValue? {
        index[key].map { values[$0] }
    }

    var count: Int { keys.count }
}

/// A storage named by a persistent id `("storage", type, key, location, count)`.
struct StorageReference: Equatable {
    let key: String
    let elementType: ElementType
    let elementCount: Int
}

/// A strided view of a storage, as `torch._utils._rebuild_tensor_v2` describes it.
struct TensorReference {
    let storage: StorageReference
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
