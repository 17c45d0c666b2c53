import Foundation

/// Expands files and folders given by a user into the image files they name.
public enum ImageFileCollector {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Files are kept as given (whatever their extension: decoding will tell if they are images);
    /// folders are searched recursively for .jpg, .jpeg and .png files, sorted by path. Files
    /// inside `excluded` are left out: a command's output folder, whose images (overlays written
    /// by an earlier run) are no input even when it lies inside a searched folder.
    public static func collect(_ paths: [URL], excluding excluded: URL? = nil) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw InputPathError.missing(path.path)
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(at: path, includingPropertiesForKeys: [.isRegularFileKey],
                                                            options: [.skipsHiddenFiles])
            var found: [URL] = []
            while let item = enumerator?.nextObject() as? URL {
                if imageExtensions.contains(item.pathExtension.lowercased()) { found.append(item) }
            }
            guard !found.isEmpty else { throw InputPathError.noImages(path.path) }
            files += found.sorted { $0.path < $1.path }
        }
        guard let excluded else { return files }
        let excludedPrefix = excluded.standardizedFileURL.path + "/"
        return files.filter { !$0.standardizedFileURL.path.hasPrefix(excludedPrefix) }
    }

    /// One output stem per file: its name without the extension, with `-2`, `-3`, ... appended to
    /// later files of the same name (from other folders), so that no output overwrites another.
    public static func outputStems(for files: [URL]) -> [String] {
        var used: Set<String> = []
        return files.map { file in
            let base = file.deletingPathExtension().lastPathComponent
            var stem = base, number = 1
            while !used.insert(stem).inserted {
                number += 1
                stem = "\(base)-\(number)"
            }
            return stem
        }
    }
}
