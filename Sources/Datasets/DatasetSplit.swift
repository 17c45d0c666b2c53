import Imaging
import Randomness

/// A stratified, grouped assignment of every image of a folder to train, validation or test.
///
/// Groups: images with identical content always form one group (so copies never leak between
/// parts); with `groupRuns = r`, images of one class whose file numbers share the run index
/// ⌊(number − 1) / r⌋ are joined too (images without a number stay alone). Groups are the
/// connected components of both relations.
///
/// Assignment rule, per class (a group belongs to the class of its first image): the class's
/// groups are shuffled with `SeededGenerator(seed).derived(classIndex)`, then taken in that
/// order, each going whole to the part with the largest remaining deficit
/// `fraction(part) · classCount − assigned(part)` (ties go to train, then validation, then test).
/// Consequence, with g the class's largest group: each part's count of the class is below
/// target + g (a part is only chosen while its deficit is positive) and above target − 2g (the
/// three deficits sum to 0 at the end); for single-image groups that is within (−2, +1) images.
public struct DatasetSplit: Sendable {
    /// The configuration the split was made with.
    public let configuration: SplitConfiguration
    /// The images, in the folder's order.
    public let images: [DatasetImage]
    /// `parts[i]` is the part of `images[i]`.
    public let parts: [DatasetPart]
    /// The groups that were assigned as units (indices into `images`), ordered by first image.
    public let groups: [[Int]]
    /// Groups of identical files with different labels (kept together in one part, to be reported).
    public let labelConflicts: [[DatasetImage]]

    /// Splits `folder` as described in the type documentation.
    /// - Throws: `SplitError` for an invalid configuration or a folder without images.
    public static func make(_ folder: ImageFolder, configuration: SplitConfiguration) throws -> DatasetSplit {
        try configuration.validate()
        let images = folder.images
        guard !images.isEmpty else { throw SplitError.noImages }
        let groups = makeGroups(images, runLength: configuration.groupRuns, groupOf: folder.description.groups)

        var parts = [DatasetPart](repeating: .train, count: images.count)
        var assigned = [[Int]](repeating: [Int](repeating: 0, count: DatasetPart.allCases.count),
                               count: folder.classes.count)
        let root = SeededGenerator(seed: configuration.seed)
        for label in folder.classes.classes.indices {
            var owned = groups.filter { images[$0[0]].label == label }
            guard !owned.isEmpty else { continue }
            var generator = root.derived(UInt64(label))
            owned.seededShuffle(using: &generator)
            let classCount = Double(folder.count(of: label))
            let targets = DatasetPart.allCases.map { configuration.fraction(of: $0) * classCount }
            func deficit(_ part: Int) -> Double { targets[part] - Double(assigned[label][part]) }
            for group in owned {
                // The first part with the largest deficit.
                let best = (1..<targets.count).reduce(0) { deficit($1) > deficit($0) ? $1 : $0 }
                for member in group {
                    parts[member] = DatasetPart.allCases[best]
                    assigned[images[member].label][best] += 1
                }
            }
        }
        return DatasetSplit(configuration: configuration, images: images, parts: parts, groups: groups,
                            labelConflicts: folder.labelConflicts)
    }

    /// The groups of `images`: identical content, the same entry in `groupOf` (a dataset's
    /// groups file: relative path → patient or slide), and (with a run length) same class and run.
    static func makeGroups(_ images: [DatasetImage], runLength: Int?, groupOf: [String: String] = [:]) -> [[Int]] {
        struct RunKey: Hashable {
            let label: Int
            let run: Int
        }
        var sets = UnionFind(count: images.count)
        var firstWithHash: [String: Int] = [:]
        var firstInRun: [RunKey: Int] = [:]
        var firstInGroup: [String: Int] = [:]
        for (index, image) in images.enumerated() {
            if let group = groupOf[image.relativePath] {
                if let first = firstInGroup[group] {
                    sets.union(first, index)
                } else {
                    firstInGroup[group] = index
                }
            }
            if let first = firstWithHash[image.contentHash] {
                sets.union(first, index)
            } else {
                firstWithHash[image.contentHash] = index
            }
            if let length = runLength, let number = image.fileNumber {
                // Floor division, so that number 0 starts run -1 rather than joining 1...length.
                let offset = number - 1
                let run = offset >= 0 ? offset / length : -((-offset + length - 1) / length)
                let key = RunKey(label: image.label, run: run)
                if let first = firstInRun[key] {
                    sets.union(first, index)
                } else {
                    firstInRun[key] = index
                }
            }
        }
        return sets.sets()
    }

    /// The images assigned to `part`, in folder order.
    public func images(in part: DatasetPart) -> [DatasetImage] {
        zip(images, parts).compactMap { $0.1 == part ? $0.0 : nil }
    }

    /// Every image with its part, in folder order.
    public var assignments: [(image: DatasetImage, part: DatasetPart)] {
        zip(images, parts).map { ($0, $1) }
    }

    /// The number of images of class `label` in `part`.
    public func count(in part: DatasetPart, of label: Int) -> Int {
        zip(images, parts).reduce(0) { $0 + ($1.0.label == label && $1.1 == part ? 1 : 0) }
    }
}
