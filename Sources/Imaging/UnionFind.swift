/// Disjoint sets over 0..<count (union by size, path halving): the watershed's basins, and the
/// groups of identical or neighbouring images of a data set split.
package struct UnionFind {
    private var parent: [Int]
    private var size: [Int]

    package init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    package mutating func find(_ element: Int) -> Int {
        var node = element
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }

    /// Joins the sets of `a` and `b` and returns the root of the joined set.
    @discardableResult
    package mutating func union(_ a: Int, _ b: Int) -> Int {
        var rootA = find(a), rootB = find(b)
        guard rootA != rootB else { return rootA }
        if size[rootA] < size[rootB] { swap(&rootA, &rootB) }
        parent[rootB] = rootA
        size[rootA] += size[rootB]
        return rootA
    }

    /// The sets, each sorted ascending, ordered by their smallest element.
    package mutating func sets() -> [[Int]] {
        var indexOfRoot: [Int: Int] = [:]
        var result: [[Int]] = []
        for element in 0..<parent.count {
            let root = find(element)
            if let index = indexOfRoot[root] {
                result[index].append(element)
            } else {
                indexOfRoot[root] = result.count
                result.append([element])
            }
        }
        return result
    }
}
