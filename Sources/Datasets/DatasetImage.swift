/// One image file of a dataset folder.
public struct DatasetImage: Hashable, Codable, Sendable {
    /// The path relative to the dataset folder, with `/` separators, e.g. "Pro/WBC-Malignant-Pro-117.jpg".
    public let relativePath: String
    /// The index of the image's class in its folder's class set (`ImageFolder.classes`).
    public let label: Int
    /// The last run of decimal digits in the file name without its extension (117 above), or nil.
    public let fileNumber: Int?
    /// The SHA-256 of the file's bytes, as 64 lowercase hexadecimal digits.
    public let contentHash: String

    public init(relativePath: String, label: Int, fileNumber: Int?, contentHash: String) {
        self.relativePath = relativePath
        self.label = label
        self.fileNumber = fileNumber
        self.contentHash = contentHash
    }

    /// The last run of decimal digits in `fileName` once its extension is removed, or nil when
    /// there is none (or it does not fit in an `Int`).
    public static func fileNumber(in fileName: String) -> Int? {
        let stem = fileName.lastIndex(of: ".").map { fileName[..<$0] } ?? fileName[...]
        let scalars = Array(stem.unicodeScalars)
        guard let last = scalars.lastIndex(where: { ("0"..."9").contains($0) }) else { return nil }
        var first = last
        while first > 0, ("0"..."9").contains(scalars[first - 1]) { first -= 1 }
        var digits = String.UnicodeScalarView()
        digits.append(contentsOf: scalars[first...last])
        return Int(String(digits))
    }
}
