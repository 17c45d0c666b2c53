import Foundation
import Datasets

/// Copies one part of a run's split into a new folder of class subfolders, so that it can be
/// scored (or shared) as a data folder of its own.
public enum SplitExport {
    /// Copies the images of `part` from the run's data folder into `destination/<Class>/`;
    /// returns how many were copied. The destination must not exist yet.
    @discardableResult
    public static func export(run: RunDirectory, part: DatasetPart, dataDirectory: URL? = nil, to destination: URL) throws -> Int {
        let configuration = try run.loadConfiguration()
        let manifest = try SplitManifest.load(from: run.splitManifest)
        let root = dataDirectory ?? URL(fileURLWithPath: configuration.dataDirectory)
        let folder = try ImageFolder.scan(root, conformingTo: configuration.datasetDescription, allowingMissingClasses: false)
        let images = try manifest.resolve(against: folder).assigned.filter { $0.part == part }.map(\.image)
        let manager = FileManager.default
        guard !manager.fileExists(atPath: destination.path) else { throw InputPathError.destinationExists(destination.path) }
        for image in images {
            let classFolder = destination.appendingPathComponent(folder.classes.names[image.label])
            try manager.createDirectory(at: classFolder, withIntermediateDirectories: true)
            let source = folder.url(of: image)
            try manager.copyItem(at: source, to: classFolder.appendingPathComponent(source.lastPathComponent))
        }
        return images.count
    }
}
