import Foundation
import Imaging

/// What `leukemia dataset inspect` reports about a data folder.
public struct DatasetInspection {
    public var folder: ImageFolder
    /// Images that cannot be opened or do not decode, with the reason, by relative path.
    public var unreadable: [(path: String, reason: String)]

    /// Scans `directory` and decodes every image on both cores to find the unreadable ones.
    public static func inspect(_ directory: URL) throws -> DatasetInspection {
        let folder = try ImageFolder.scan(directory)
        let images = folder.images
        var failures = [String?](repeating: nil, count: images.count)
        failures.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: images.count) { index in
                do {
                    _ = try ImageDecoder.decode(fileAt: folder.url(of: images[index]))
                } catch {
                    slots[index] = "\(error)"
                }
            }
        }
        let undecodable = zip(images, failures).compactMap { image, failure in
            failure.map { (path: image.relativePath, reason: $0) }
        }
        let unopened = folder.unreadableFiles.map { (path: $0.key, reason: $0.value) }
        return DatasetInspection(folder: folder, unreadable: (undecodable + unopened).sorted { $0.path < $1.path })
    }

    /// A human-readable summary: counts per class, duplicate groups, unreadable and ignored files.
    public var summary: String {
        let classes = folder.classes
        var lines = ["\(folder.images.count) images in \(folder.root.path), \(classes.count) classes"
                     + (folder.description.name.map { " (\($0))" } ?? "") + (classes.isOrdered ? ", ordered" : "") + ":"]
        let width = max(8, classes.names.map(\.count).max() ?? 0)
        for (label, name) in classes.names.enumerated() {
            let folders = classes.classes[label].folders == [name] ? "" : "  (folders \(classes.classes[label].folders.joined(separator: ", ")))"
            lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0)) \(folder.count(of: label))\(folders)")
        }
        let nested = folder.images.filter { $0.relativePath.split(separator: "/").count > 2 }
        if !nested.isEmpty {
            let subfolders = Set(nested.map { $0.relativePath.split(separator: "/").dropLast().joined(separator: "/") })
            lines.append("\(nested.count) of the images are in \(subfolders.count) folders below the class folders "
                         + "(each counts for its class folder)")
        }
        lines.append("\(folder.duplicateGroups.count) groups of identical files:")
        for group in folder.duplicateGroups {
            lines.append("  " + group.map(\.relativePath).joined(separator: " = "))
        }
        lines.append("\(unreadable.count) unreadable images" + (unreadable.isEmpty ? "" : ":"))
        for item in unreadable { lines.append("  \(item.path): \(item.reason)") }
        if !folder.ignoredFiles.isEmpty {
            lines.append("\(folder.ignoredFiles.count) files ignored (not .jpg/.jpeg/.png):")
            for file in folder.ignoredFiles { lines.append("  \(file)") }
        }
        return lines.joined(separator: "\n")
    }
}
