import Foundation
import Datasets
import Evaluation

/// The images a training reads and how they are scored, shared by every trainer: a data folder
/// with its class set (from its subfolders, its `dataset.json`, or `--classes FILE`) and the cost
/// matrix (`--cost FILE`, else the dataset's default).
public struct TrainingData: Sendable {
    /// The data folder.
    public var directory: URL
    /// A dataset description replacing the folder's own (`--classes`), or nil.
    public var descriptionFile: URL?
    /// A cost matrix file (`--cost`), or nil for the dataset's default.
    public var costFile: URL?

    public init(directory: URL, descriptionFile: URL? = nil, costFile: URL? = nil) {
        self.directory = directory
        self.descriptionFile = descriptionFile
        self.costFile = costFile
    }

    /// The description that applies: `descriptionFile`, else the folder's `dataset.json`, else
    /// one inferred from the subfolders. Lists the folder without hashing any image.
    public func description() throws -> DatasetDescription {
        if let descriptionFile { return try DatasetDescription.load(from: descriptionFile) }
        return try ImageFolder.description(of: directory)
    }

    /// Scans the folder (every class must have images) and loads the cost matrix for its classes.
    public func load() throws -> (folder: ImageFolder, cost: CostMatrix) {
        let folder = try ImageFolder.scan(directory, description: try descriptionFile.map(DatasetDescription.load(from:)))
        let cost = try CostMatrix.load(costFile, classes: folder.classes, fallback: try .defaultCost(for: folder.description))
        return (folder, cost)
    }
}
