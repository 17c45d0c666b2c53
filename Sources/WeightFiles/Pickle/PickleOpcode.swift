/// Every opcode of Python's pickle protocols 0–5. Case names are Python's opcode names in lower case,
/// so that error messages can name an opcode exactly as `pickletools` does.
// swiftlint:disable identifier_name
enum PickleOpcode: UInt8 {
    case mark = 0x28, stop = 0x2E, pop = 0x30, pop_mark = 0x31, dup = 0x32
    case float = 0x46, int = 0x49, binint = 0x4A, binint1 = 0x4B, long = 0x4C, binint2 = 0x4D
    case none = 0x4E, persid = 0x50, binpersid = 0x51, reduce = 0x52
    case string = 0x53, binstring = 0x54, short_binstring = 0x55, unicode = 0x56, binunicode = 0x58
    case append = 0x61, build = 0x62, global = 0x63, dict = 0x64, empty_dict = 0x7D, appends = 0x65
    case get = 0x67, binget = 0x68, inst = 0x69, long_binget = 0x6A, list = 0x6C, empty_list = 0x5D
    case obj = 0x6F, put = 0x70, binput = 0x71, long_binput = 0x72, setitem = 0x73, tuple = 0x74
    case empty_tuple = 0x29, setitems = 0x75, binfloat = 0x47
    case proto = 0x80, newobj = 0x81, ext1 = 0x82, ext2 = 0x83, ext4 = 0x84
    case tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87, newtrue = 0x88, newfalse = 0x89
    case long1 = 0x8A, long4 = 0x8B
    case binbytes = 0x42, short_binbytes = 0x43, short_binunicode = 0x8C, binunicode8 = 0x8D
    case binbytes8 = 0x8E, empty_set = 0x8F, additems = 0x90, frozenset = 0x91, newobj_ex = 0x92
    case stack_global = 0x93, memoize = 0x94, frame = 0x95
    case bytearray8 = 0x96, next_buffer = 0x97, readonly_buffer = 0x98

    /// The name `pickletools` prints, e.g. `SHORT_BINUNICODE`.
    var name: String { String(describing: self).uppercased() }

    /// Describes a byte read where an opcode was expected, known or not.
    static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + String(byte, radix: 16, uppercase: true)
        return PickleOpcode(rawValue: byte).map { "\($0.name) (\(hex))" } ?? "\(hex) (not a pickle opcode)"
    }
}
// swiftlint:enable identifier_name
