/// A tensor element type found in weight files, with its conversion to `Float`.
enum ElementType: String, CaseIterable, Sendable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// Bytes per element.
    var byteCount: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// The type of a PyTorch typed-storage class (`torch.FloatStorage` → `.float32`).
    init?(storageClass name: String) {
        guard let type = ElementType.allCases.first(where: { $0.storageClassName == name }) else { return nil }
        self = type
    }

    /// PyTorch's typed-storage class name, without the `torch.` module.
    var storageClassName: String {
        switch self {
        case .float32: return "FloatStorage"
        case .float64: return "DoubleStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .int64: return "LongStorage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        case .bool: return "BoolStorage"
        }
    }

    /// The type of a safetensors `dtype` string (`"F32"` → `.float32`).
    init?(safeTensorsName name: String) {
        guard let type = ElementType.allCases.first(where: { $0.safeTensorsName == name }) else { return nil }
        self = type
    }

    /// The safetensors `dtype` string.
    var safeTensorsName: String {
        switch self {
        case .float32: return "F32"
        case .float64: return "F64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .int16: return "I16"
        case .int8: return "I8"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    /// Decodes `count` little-endian elements starting at byte `offset` of `bytes` (caller checked the bounds).
    func decode(_ bytes: [UInt8], offset: Int, count: Int) -> [Float] {
        guard count > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress! + offset
                let width = byteCount
                for index in 0..<count {
                    output[index] = element(at: base + index * width)
                }
            }
            initialized = count
        }
    }

    private func element(at pointer: UnsafeRawPointer) -> Float {
        switch self {
        case .float32: return Float(bitPattern: UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self)))
        case .float64: return Float(Double(bitPattern: UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))))
        case .float16: return Self.halfToFloat(UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self)))
        case .bfloat16: return Float(bitPattern: UInt32(UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self))) << 16)
        case .int64: return Float(Int64(littleEndian: pointer.loadUnaligned(as: Int64.self)))
        case .int32: return Float(Int32(littleEndian: pointer.loadUnaligned(as: Int32.self)))
        case .int16: return Float(Int16(littleEndian: pointer.loadUnaligned(as: Int16.self)))
        case .int8: return Float(pointer.load(as: Int8.self))
        case .uint8: return Float(pointer.load(as: UInt8.self))
        case .bool: return pointer.load(as: UInt8.self) == 0 ? 0 : 1
        }
    }

    /// IEEE 754 binary16 → binary32, exact (subnormals, infinities and NaN payloads included).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2^-24, exact in Float.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
