import Foundation

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
