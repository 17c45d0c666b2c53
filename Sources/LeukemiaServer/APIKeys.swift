import Foundation
import ToolkitSupport

/// The clients allowed in, by the SHA-256 of their keys.
///
/// The file holds one client per line, `NAME sha256:HEX` (`#` starts a comment); only the hash
/// of a key is ever stored. Keys are 32 random bytes in hex after `lk_`: with that much entropy
/// an unsalted hash cannot be reversed. A presented key is hashed and compared with every stored
/// hash in constant time, so the answer's timing tells nothing about the keys.
public struct APIKeys: Sendable {
    /// The default keys file (in the working folder).
    public static let defaultFileName = "leukemia-keys.txt"

    public struct Entry: Sendable, Equatable {
        public var client: String
        public var hash: [UInt8]
    }

    public let entries: [Entry]

    /// Reads the keys file at `url`.
    /// - Throws: `ServerSetupError.badKeysFile` for an unreadable file, a malformed line, or no key at all.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ServerSetupError.badKeysFile(url.path, reason: "cannot be read (\(error.localizedDescription)); "
                                               + "create it with `leukemia serve keys add NAME --api-keys \(url.path)`")
        }
        var entries: [Entry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let fields = content.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { continue }
            guard fields.count == 2, fields[1].hasPrefix("sha256:"), let hash = Self.bytes(hex: fields[1].dropFirst(7)),
                  hash.count == 32 else {
                throw ServerSetupError.badKeysFile(url.path, reason: "line \(number + 1) is not `NAME sha256:<64 hex digits>`")
            }
            entries.append(Entry(client: String(fields[0]), hash: hash))
        }
        guard !entries.isEmpty else { throw ServerSetupError.badKeysFile(url.path, reason: "holds no key") }
        self.entries = entries
    }

    /// The client whose key is `key`, or nil; every entry is compared, in constant time.
    public func client(presenting key: String) -> String? {
        let presented = SHA256.hash(Data(key.utf8)).bytes
        var found: String?
        for entry in entries where Self.constantTimeEqual(entry.hash, presented) {
            found = found ?? entry.client
        }
        return found
    }

    /// Whether `a` and `b` are equal, in time that depends on their lengths only.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Makes a new key for `client`, appends its hash to the file at `url` (created, readable by
    /// its owner only, if missing) and returns the key, which is nowhere stored.
    /// - Throws: `ServerSetupError.badClientName` for a name with spaces or `#`, or one already in
    ///   the file; `.badKeysFile` when the file cannot be read or written.
    public static func add(client: String, to url: URL) throws -> String {
        guard !client.isEmpty, !client.contains(where: { $0.isWhitespace || $0 == "#" }) else {
            throw ServerSetupError.badClientName(client, reason: "must be one word without spaces or #")
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) {
            if (try? APIKeys(contentsOf: url))?.entries.contains(where: { $0.client == client }) == true {
                throw ServerSetupError.badClientName(client, reason: "already has a key in \(url.path)")
            }
        } else if !manager.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw ServerSetupError.badKeysFile(url.path, reason: "cannot be created")
        }
        var generator = SystemRandomNumberGenerator()
        let key = "lk_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let line = "\(client) sha256:\(SHA256.hash(Data(key.utf8)).hexString)\n"
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw ServerSetupError.badKeysFile(url.path, reason: "cannot be written (\(error.localizedDescription))")
        }
        return key
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = [], index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
