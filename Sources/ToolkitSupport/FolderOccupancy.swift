import Foundation

/// What a path that is to become a new output folder already holds, for the commands that never
/// write over anything (a run directory, an evaluation's report folder).
package enum FolderOccupancy {
    /// nil when `url` does not exist or is an empty folder; else what is there, in words: "it is a
    /// file", "3 entries, e.g. notes.txt", or "it cannot be listed".
    /// Entries named in `ignoring` do not count.
    package static func describe(_ url: URL, ignoring: Set<String> = []) -> String? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return "it is a file" }
        guard let entries = (try? manager.contentsOfDirectory(atPath: url.path))?.filter({ !ignoring.contains($0) }) else {
            return "it cannot be listed"
        }
        guard let first = entries.min() else { return nil }
        return "\(entries.count) entries, e.g. \(first)"
    }
}
