import Randomness

/// Places groups of items whole into bins that should each hold a share of every class: the rule
/// shared by the k-fold assignment (`FoldAssignment`, equal shares) and the train/validation split
/// of its remaining folds (shares 1 − v and v).
///
/// Inputs: `labels[i]` in 0..<classCount for every item a group names; `groups` disjoint and
/// non-empty (callers validate); `weights[b]` the share of bin b (summing to 1). With n_c the items
/// of class c in the groups, bin b's target for class c is `weights[b] · n_c`, and its deficit
/// `deficit_c(b) = weights[b] · n_c − count_c(b)`.
///
/// Order: classes in index order, each taking the groups it owns (a group is owned by the class
/// most of its items have, ties → the smaller class index); a class's groups are shuffled with
/// `root.derived(classIndex)`, then stably sorted by size, largest first.
///
/// Placement: a group with m_c items of class c goes to the bin with the largest
/// `Σ_c m_c · deficit_c(b) / n_c²`, which is the bin where it least increases the spread of class
/// proportions `Σ_c Σ_b (count_c(b) / n_c − weights[b])²`; ties go to the bin with the largest total
/// deficit `weights[b] · n − size(b)` (with equal weights: the fewest items), then to the lowest index.
/// For a group of one class c this is the bin with the largest deficit of c, as in `DatasetSplit`
/// (which breaks ties by index only), so that split could adopt this helper, with changed ties.
///
/// Consequences (proved where they are used): a single-class group only ever goes to a bin with the
/// largest deficit of its class; with equal weights an empty bin has the largest score (no deficit is
/// larger than a full target) and the largest total deficit, so every bin receives a group before
/// any bin receives a second one.
enum StratifiedGroupPlacement {
    /// `result[g]` is the bin (index into `weights`) of `groups[g]`.
    static func bins(groups: [[Int]], labels: [Int], classCount: Int, weights: [Double],
                     root: SeededGenerator) -> [Int] {
        let compositions = groups.map { composition(of: $0, labels: labels, classCount: classCount) }
        var classTotals = [Int](repeating: 0, count: classCount)
        for composition in compositions {
            for (label, count) in composition { classTotals[label] += count }
        }
        let itemTotal = Double(classTotals.reduce(0, +))
        // 1 / n_c², the weight of a class in the spread of proportions.
        let classWeights = classTotals.map { $0 > 0 ? 1 / (Double($0) * Double($0)) : 0 }

        var owned = [[Int]](repeating: [], count: classCount)
        for (index, composition) in compositions.enumerated() {
            // The majority class; `composition` is in class order, so `>` keeps the smaller index on ties.
            let owner = composition.dropFirst().reduce(composition[0]) { $1.count > $0.count ? $1 : $0 }.label
            owned[owner].append(index)
        }

        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: weights.count)
        var sizes = [Int](repeating: 0, count: weights.count)
        var result = [Int](repeating: 0, count: groups.count)
        for label in 0..<classCount where !owned[label].isEmpty {
            var order = owned[label]
            var generator = root.derived(UInt64(label))
            order.seededShuffle(using: &generator)
            // Largest first; the shuffled position breaks ties, so the sort is stable by construction.
            order = order.enumerated().sorted { a, b in
                let sizeA = groups[a.element].count, sizeB = groups[b.element].count
                return sizeA != sizeB ? sizeA > sizeB : a.offset < b.offset
            }.map(\.element)

            for group in order {
                let composition = compositions[group]
                func score(_ bin: Int) -> Double {
                    composition.reduce(0) { sum, entry in
                        let deficit = weights[bin] * Double(classTotals[entry.label]) - Double(counts[bin][entry.label])
                        return sum + Double(entry.count) * deficit * classWeights[entry.label]
                    }
                }
                func totalDeficit(_ bin: Int) -> Double { weights[bin] * itemTotal - Double(sizes[bin]) }
                var best = 0, bestScore = score(0), bestTotal = totalDeficit(0)
                for bin in 1..<weights.count {
                    let binScore = score(bin), binTotal = totalDeficit(bin)
                    if binScore > bestScore || (binScore == bestScore && binTotal > bestTotal) {
                        (best, bestScore, bestTotal) = (bin, binScore, binTotal)
                    }
                }
                result[group] = best
                for (label, count) in composition { counts[best][label] += count }
                sizes[best] += groups[group].count
            }
        }
        return result
    }

    /// The classes of `group`'s items with their counts, in class order.
    private static func composition(of group: [Int], labels: [Int], classCount: Int) -> [(label: Int, count: Int)] {
        if group.count == 1 { return [(labels[group[0]], 1)] }
        var counts = [Int](repeating: 0, count: classCount)
        for item in group { counts[labels[item]] += 1 }
        return counts.enumerated().compactMap { $0.element > 0 ? ($0.offset, $0.element) : nil }
    }
}
