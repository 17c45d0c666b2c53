import Foundation

/// Expands files and folders given by a user into the image files they name.
public enum ImageFileCollector {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Files are kept as given (whatever their extension: decoding will tell if they are images);
    /// folders are searched recursively for .jpg, .jpeg and .png files, sorted by path.
    public static func collect(_ paths: [URL]) throws -> [URL] {
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
        return files
    }
}
