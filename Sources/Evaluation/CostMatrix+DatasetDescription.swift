import Foundation
import Datasets

extension CostMatrix {
    /// The cost matrix a dataset implies when none is given: its description's `cost` when it has
    /// one (ALL's built-in description: the study's matrix), else the distance between stages for
    /// ordered classes, else 0/1 costs (the total cost is then the number of errors).
    /// - Throws: `CostMatrixError` when the description's costs are not a valid matrix.
    public static func defaultCost(for description: DatasetDescription) throws -> CostMatrix {
        if let values = description.cost {
            return try CostMatrix(values: values, source: "the cost of dataset description \(description.name ?? "")")
        }
        return description.classes.isOrdered ? stageDistance(classCount: description.classes.count)
            : zeroOne(classCount: description.classes.count)
    }

    /// The matrix in `file` for `classes` (`--cost FILE`), or `fallback` when no file is given.
    public static func load(_ file: URL?, classes: ClassSet, fallback: @autoclosure () throws -> CostMatrix) throws -> CostMatrix {
        guard let file else { return try fallback() }
        return try load(from: file, classNames: classes.names)
    }
}
