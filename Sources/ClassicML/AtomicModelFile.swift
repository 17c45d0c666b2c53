import Foundation

/// Writes a model file atomically: `write` fills a temporary file next to `url`, which then
/// replaces `url` by `rename(2)`, so readers never see a half-written model. The temporary
/// name ends with `url`'s file name, so writers that choose a format by extension see the same one.
func writeModelFileAtomically(to url: URL, _ write: (_ temporaryPath: String) throws -> Void) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)-\(url.lastPathComponent)")
    do {
        try write(temporary.path)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw ClassicMLError.unwritableModelFile(path: url.path, reason: reason)
    }
}

/// Throws `unreadableModelFile` unless `url` names an existing regular file.
func requireModelFile(at url: URL) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw ClassicMLError.unreadableModelFile(path: url.path, reason: "no such file")
    }
    guard !isDirectory.boolValue else {
        throw ClassicMLError.unreadableModelFile(path: url.path, reason: "it is a directory")
    }
}
