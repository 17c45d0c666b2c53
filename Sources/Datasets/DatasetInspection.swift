import Foundation
import Imaging

/// What `leukemia dataset inspect` reports about a data folder.
public struct DatasetInspection {
    public var folder: ImageFolder
    /// Images that cannot be opened or do not decode, with the reason, by relative path.
    public var unreadable: [(path: String, reason: String)]
    /// The stored pixel layout of each image that decodes (before conversion to 8-bit RGB).
    public var formats: [ImageSourceFormat]

    /// Scans `directory` and decodes every image on both cores to find the unreadable ones.
    public static func inspect(_ directory: URL) throws -> DatasetInspection {
        let folder = try ImageFolder.scan(directory)
        let images = folder.images
        var outcomes = [Result<ImageSourceFormat, Error>?](repeating: nil, count: images.count)
        outcomes.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: images.count) { index in
                slots[index] = Result {
                    let url = folder.url(of: images[index])
                    let data: Data
                    do {
                        data = try Data(contentsOf: url)
                    } catch {
                        throw ImageError(source: url.path, reason: .unreadableFile(error.localizedDescription))
                    }
                    let format = try ImageDecoder.sourceFormat(of: data, source: url.path)
                    _ = try ImageDecoder.decode(data: data, source: url.path)
                    return format
                }
            }
        }
        var undecodable: [(path: String, reason: String)] = [], formats: [ImageSourceFormat] = []
        for (image, outcome) in zip(images, outcomes) {
            switch outcome {
            case .success(let format)?: formats.append(format)
            case .failure(let error)?: undecodable.append((image.relativePath, "\(error)"))
            case nil: break
            }
        }
        let unopened = folder.unreadableFiles.map { (path: $0.key, reason: $0.value) }
        return DatasetInspection(folder: folder, unreadable: (undecodable + unopened).sorted { $0.path < $1.path },
                                 formats: formats)
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
        lines += formatLines
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

    /// How many images of each stored layout, how many the decoder converts, and the commonest sizes.
    private var formatLines: [String] {
        let kinds = Dictionary(grouping: formats, by: { "\($0.container.rawValue.uppercased()) \($0.channels.rawValue) \($0.bitsPerSample)-bit" })
            .map { (name: $0.key, count: $0.value.count) }.sorted { ($1.count, $0.name) < ($0.count, $1.name) }
        var lines = ["pixel formats: " + kinds.map { "\($0.count) \($0.name)" }.joined(separator: ", ")]
        let grey = formats.filter(\.channels.isGrey).count, alpha = formats.filter(\.channels.hasAlpha).count
        let deep = formats.filter { $0.bitsPerSample == 16 }.count, cmyk = formats.filter { $0.channels == .cmyk }.count
        let palette = formats.filter { $0.channels == .palette }.count
        lines.append("converted to 8-bit RGB when read: \(grey) greyscale, \(alpha) with alpha (composited on white), "
                     + "\(deep) 16-bit, \(cmyk) CMYK, \(palette) palette")
        let sizes = Dictionary(grouping: formats, by: { "\($0.width)x\($0.height)" }).map { (size: $0.key, count: $0.value.count) }
            .sorted { ($1.count, $0.size) < ($0.count, $1.size) }
        lines.append("sizes: " + sizes.prefix(5).map { "\($0.count) \($0.size)" }.joined(separator: ", ")
                     + (sizes.count > 5 ? ", and \(sizes.count - 5) other sizes" : ""))
        return lines
    }
}
