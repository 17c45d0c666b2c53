import Dispatch
import Foundation
import ToolkitSupport

/// A dataset folder: one subfolder per class (or, with a `dataset.json`, the folders its classes
/// name), image files inside it or in folders below it (one per patient or slide, say). Scanning
/// lists and hashes the images; it does not decode them.
public struct ImageFolder: Sendable {
    /// File extensions (lowercase) recognised as images; matched case-insensitively.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// The scanned folder.
    public let root: URL
    /// The folder's classes, costs and groups; `DatasetImage.label` indexes `description.classes`.
    public let description: DatasetDescription
    /// All images, sorted by class index, then by relative path.
    public let images: [DatasetImage]
    /// Relative paths of entries that are not images: hidden files, other extensions, plain files
    /// next to the class folders.
    public let ignoredFiles: [String]
    /// Image files that cannot be read (a dangling symbolic link, no permission), by relative
    /// path, with the reason: listed, not scanned, like images that do not decode.
    public let unreadableFiles: [String: String]
    /// Groups of two or more images with identical content, each in `images` order,
    /// the groups ordered by their first image.
    public let duplicateGroups: [[DatasetImage]]

    /// An image folder made of already scanned images (sorted here into `images` order).
    public init(root: URL, description: DatasetDescription, images: [DatasetImage], ignoredFiles: [String] = [],
                unreadableFiles: [String: String] = [:]) {
        self.root = root
        self.description = description
        self.images = images.sorted { ($0.label, $0.relativePath) < ($1.label, $1.relativePath) }
        self.ignoredFiles = ignoredFiles
        self.unreadableFiles = unreadableFiles
        var groupsByHash: [String: [DatasetImage]] = [:]
        var firstSeen: [String] = []
        for image in self.images {
            if groupsByHash[image.contentHash] == nil { firstSeen.append(image.contentHash) }
            groupsByHash[image.contentHash, default: []].append(image)
        }
        duplicateGroups = firstSeen.compactMap { hash in
            groupsByHash[hash].flatMap { $0.count > 1 ? $0 : nil }
        }
    }

    /// The folder's class set: `description.classes`.
    public var classes: ClassSet { description.classes }

    /// Duplicate groups whose copies carry different labels: the same picture filed under two classes.
    public var labelConflicts: [[DatasetImage]] {
        duplicateGroups.filter { group in Set(group.map(\.label)).count > 1 }
    }

    /// The indices of the classes that have at least one image, ascending.
    public var presentClasses: [Int] {
        Set(images.map(\.label)).sorted()
    }

    /// The number of images of class index `label`.
    public func count(of label: Int) -> Int {
        images.reduce(0) { $0 + ($1.label == label ? 1 : 0) }
    }

    /// The description a folder gives itself: its `dataset.json` when it has one, else nil.
    public static func ownDescription(of directory: URL) throws -> DatasetDescription? {
        let file = directory.appendingPathComponent(DatasetDescription.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try DatasetDescription.load(from: file)
    }

    /// Scans a folder as a run with classes `expected` sees it: through the folder's own
    /// `dataset.json` when it has one (its classes are then matched to `expected` by name),
    /// else through `expected`'s folders. Labels index `expected.classes`.
    /// - Parameter allowingMissingClasses: accept a folder with only some of the classes
    ///   (evaluating on another folder); otherwise every class must be there.
    /// - Throws: `ClassSetError.classMismatch` naming the missing and the extra classes, or what `scan` throws.
    public static func scan(_ directory: URL, conformingTo expected: DatasetDescription,
                            allowingMissingClasses: Bool) throws -> ImageFolder {
        guard let own = try ownDescription(of: directory) else {
            return try scan(directory, description: expected, requireAllClasses: !allowingMissingClasses)
        }
        let folder = try scan(directory, description: own, requireAllClasses: true)
        let (missing, extra) = expected.classes.difference(to: own.classes)
        if !extra.isEmpty || (!missing.isEmpty && !allowingMissingClasses) {
            throw ClassSetError.classMismatch(path: directory.path, missing: missing, extra: extra)
        }
        let newLabel = own.classes.names.map { expected.classes.index(of: $0)! }
        let images = folder.images.map {
            DatasetImage(relativePath: $0.relativePath, label: newLabel[$0.label], fileNumber: $0.fileNumber, contentHash: $0.contentHash)
        }
        var description = expected
        description.groups = own.groups
        return ImageFolder(root: directory, description: description, images: images, ignoredFiles: folder.ignoredFiles,
                           unreadableFiles: folder.unreadableFiles)
    }

    /// Lists the class folders of `directory` and hashes every image (in parallel).
    ///
    /// - Parameters:
    ///   - description: the classes and their folders; by default the folder's `dataset.json`, or
    ///     else one class per subfolder sorted by name (the built-in ALL description when the
    ///     subfolders are its four classes).
    ///   - requireAllClasses: when true, every class must have a folder; when false, any non-empty
    ///     subset is accepted.
    /// Images in folders below a class folder belong to that class; files that cannot be read are
    /// listed in `unreadableFiles` and left out.
    /// - Throws: `ImageFolderError` when the folder is missing or not a directory, has no class
    ///   folder, two folders of one class, a class folder without an image, or an unreadable
    ///   folder; `ClassSetError.classMismatch` naming folders that are no class of the description
    ///   and (if required) classes without a folder.
    public static func scan(_ directory: URL, description given: DatasetDescription? = nil,
                            requireAllClasses: Bool = true) throws -> ImageFolder {
        let fileManager = FileManager.default
        guard isDirectory(directory, fileManager: fileManager) else {
            if fileManager.fileExists(atPath: directory.path) {
                throw ImageFolderError.notADirectory(path: directory.path)
            }
            throw ImageFolderError.missingFolder(path: directory.path)
        }
        let (folderNames, topIgnored) = try topLevel(of: directory, fileManager: fileManager)
        var ignored = topIgnored
        let description = try given ?? description(of: directory, folderNames: folderNames)
        let classes = description.classes
        var classFolders: [(label: Int, name: String)] = []
        var unknown: [String] = []
        for name in folderNames {
            guard let label = classes.index(ofFolder: name) else {
                unknown.append(name)
                continue
            }
            classFolders.append((label, name))
        }
        let missing = classes.classes.indices.filter { label in !classFolders.contains { $0.label == label } }
            .map { classes.names[$0] }
        if !unknown.isEmpty || (requireAllClasses && !missing.isEmpty) {
            throw ClassSetError.classMismatch(path: directory.path, missing: requireAllClasses ? missing : [], extra: unknown)
        }
        guard !classFolders.isEmpty else {
            throw ImageFolderError.noClassFolders(path: directory.path, found: folderNames)
        }

        var files: [(relativePath: String, label: Int, url: URL)] = []
        for folder in classFolders {
            let folderURL = directory.appendingPathComponent(folder.name)
            let before = files.count
            var pending = [(url: folderURL, relativePath: folder.name)]
            while let current = pending.popLast() {
                var subfolders: [(url: URL, relativePath: String)] = []
                for name in try entries(of: current.url, fileManager: fileManager) {
                    let url = current.url.appendingPathComponent(name)
                    let relativePath = "\(current.relativePath)/\(name)"
                    guard !name.hasPrefix(".") else {
                        ignored.append(relativePath)
                        continue
                    }
                    if isDirectory(url, fileManager: fileManager) {
                        subfolders.append((url, relativePath))
                    } else if imageExtensions.contains(url.pathExtension.lowercased()) {
                        files.append((relativePath, folder.label, url))
                    } else {
                        ignored.append(relativePath)
                    }
                }
                pending += subfolders.reversed()   // depth first, in name order
            }
            if files.count == before { throw ImageFolderError.emptyClassFolder(path: folderURL.path) }
        }

        let hashes = hashInParallel(files.map(\.url))
        var images: [DatasetImage] = [], unreadable: [String: String] = [:]
        for (file, hash) in zip(files, hashes) {
            switch hash {
            case .success(let hash):
                images.append(DatasetImage(relativePath: file.relativePath, label: file.label,
                                           fileNumber: DatasetImage.fileNumber(in: file.url.lastPathComponent), contentHash: hash))
            case .failure(let reason):
                unreadable[file.relativePath] = reason.text
            }
        }
        return ImageFolder(root: directory, description: description, images: images, ignoredFiles: ignored,
                           unreadableFiles: unreadable)
    }

    /// The description of a folder that is given none: its `dataset.json`, else one inferred from
    /// its subfolders. Lists the folder; hashes nothing.
    /// - Throws: `ImageFolderError` for a missing or unlistable folder or fewer than 2 subfolders;
    ///   `ClassSetError` for an invalid `dataset.json`.
    public static func description(of directory: URL) throws -> DatasetDescription {
        let fileManager = FileManager.default
        guard isDirectory(directory, fileManager: fileManager) else { throw ImageFolderError.missingFolder(path: directory.path) }
        return try description(of: directory, folderNames: try topLevel(of: directory, fileManager: fileManager).folders)
    }

    private static func description(of directory: URL, folderNames: [String]) throws -> DatasetDescription {
        if let own = try ownDescription(of: directory) { return own }
        guard folderNames.count >= 2 else { throw ImageFolderError.noClassFolders(path: directory.path, found: folderNames) }
        return try DatasetDescription.inferred(fromFolderNames: folderNames)
    }

    /// The visible subfolders of `directory`, and its other entries except `dataset.json`.
    private static func topLevel(of directory: URL, fileManager: FileManager) throws -> (folders: [String], ignored: [String]) {
        var folders: [String] = [], ignored: [String] = []
        for name in try entries(of: directory, fileManager: fileManager) {
            guard !name.hasPrefix("."), isDirectory(directory.appendingPathComponent(name), fileManager: fileManager) else {
                if name != DatasetDescription.fileName { ignored.append(name) }
                continue
            }
            if let other = folders.first(where: { $0.lowercased() == name.lowercased() }) {
                throw ImageFolderError.duplicateClassFolder(path: directory.path, names: [other, name])
            }
            folders.append(name)
        }
        return (folders, ignored)
    }

    private static func isDirectory(_ url: URL, fileManager: FileManager) -> Bool {
        var directory: ObjCBool = false
        return fileManager.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    /// The names in `directory`, sorted by Unicode code points (independent of locale and file system order).
    private static func entries(of directory: URL, fileManager: FileManager) throws -> [String] {
        do {
            return try fileManager.contentsOfDirectory(atPath: directory.path)
                .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        } catch {
            throw ImageFolderError.unreadableFolder(path: directory.path, reason: error.localizedDescription)
        }
    }

    /// Hex SHA-256 of each file, or why it cannot be read, computed by
    /// `DispatchQueue.concurrentPerform` over the available cores.
    private static func hashInParallel(_ urls: [URL]) -> [Result<String, UnreadableReason>] {
        var results = [Result<String, UnreadableReason>](repeating: .failure(UnreadableReason("not hashed")), count: urls.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let output = buffer
            DispatchQueue.concurrentPerform(iterations: urls.count) { index in
                do {
                    output[index] = .success(try SHA256.hash(fileAt: urls[index]).hexString)
                } catch {
                    output[index] = .failure(UnreadableReason(FileReadFailure.reason(urls[index], error)))
                }
            }
        }
        return results
    }

    /// Why a file could not be read.
    private struct UnreadableReason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }
}

extension ImageFolder {
    /// The file of `image` inside this folder.
    public func url(of image: DatasetImage) -> URL {
        root.appendingPathComponent(image.relativePath)
    }
}
