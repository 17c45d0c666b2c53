import Dispatch
import Foundation
import ToolkitSupport

/// A dataset folder: one subfolder per class (named as `LeukemiaClass.name`, any case), image
/// files inside it or in folders below it (one per patient or slide, say). Scanning lists and
/// hashes the images; it does not decode them.
public struct ImageFolder: Sendable {
    /// File extensions (lowercase) recognised as images; matched case-insensitively.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// The scanned folder.
    public let root: URL
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
    public init(root: URL, images: [DatasetImage], ignoredFiles: [String] = [], unreadableFiles: [String: String] = [:]) {
        self.root = root
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

    /// Duplicate groups whose copies carry different labels: the same picture filed under two classes.
    public var labelConflicts: [[DatasetImage]] {
        duplicateGroups.filter { group in Set(group.map(\.label)).count > 1 }
    }

    /// The classes that have at least one image, in index order.
    public var classes: [LeukemiaClass] {
        Set(images.map(\.label)).sorted()
    }

    /// The number of images labelled `label`.
    public func count(of label: LeukemiaClass) -> Int {
        images.reduce(0) { $0 + ($1.label == label ? 1 : 0) }
    }

    /// Lists the class folders of `directory` and hashes every image (in parallel).
    ///
    /// - Parameter requireAllClasses: when true (training), every class of `LeukemiaClass` must
    ///   have a folder; when false (evaluating on another folder), any non-empty subset is accepted.
    /// Images in folders below a class folder belong to that class; files that cannot be read are
    /// listed in `unreadableFiles` and left out.
    /// - Throws: `ImageFolderError` when the folder is missing or not a directory, has no class
    ///   folder, a subfolder that is not a class, two folders of one class, a class folder without
    ///   an image, a missing class (if required), or an unreadable folder.
    public static func scan(_ directory: URL, requireAllClasses: Bool = true) throws -> ImageFolder {
        let fileManager = FileManager.default
        guard isDirectory(directory, fileManager: fileManager) else {
            if fileManager.fileExists(atPath: directory.path) {
                throw ImageFolderError.notADirectory(path: directory.path)
            }
            throw ImageFolderError.missingFolder(path: directory.path)
        }
        var ignored: [String] = []
        var classFolders: [(label: LeukemiaClass, name: String)] = []
        for name in try entries(of: directory, fileManager: fileManager) {
            let url = directory.appendingPathComponent(name)
            guard !name.hasPrefix("."), isDirectory(url, fileManager: fileManager) else {
                ignored.append(name)
                continue
            }
            guard let label = LeukemiaClass(folderName: name) else {
                throw ImageFolderError.unknownClassFolder(path: url.path)
            }
            if let other = classFolders.first(where: { $0.label == label }) {
                throw ImageFolderError.duplicateClassFolder(path: directory.path, names: [other.name, name])
            }
            classFolders.append((label, name))
        }
        guard !classFolders.isEmpty else { throw ImageFolderError.noClassFolders(path: directory.path) }
        let missing = LeukemiaClass.allCases.filter { label in !classFolders.contains { $0.label == label } }
        if requireAllClasses, !missing.isEmpty {
            throw ImageFolderError.missingClasses(path: directory.path, missing: missing)
        }

        var files: [(relativePath: String, label: LeukemiaClass, url: URL)] = []
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
        return ImageFolder(root: directory, images: images, ignoredFiles: ignored, unreadableFiles: unreadable)
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
