/// Disjoint sets over 0..<count (union by size, path halving).
struct UnionFind {
    private var parent: [Int]
    private var size: [Int]

    init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    mutating func find(_ element: Int) -> Int {
        var node = element
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }

    mutating func union(_ a: Int, _ b: Int) {
        var rootA = find(a), rootB = find(b)
        guard rootA != rootB else { return }
        if size[rootA] < size[rootB] { swap(&rootA, &rootB) }
        parent[rootB] = rootA
        size[rootA] += size[rootB]
    }

    /// The sets, each sorted ascending, ordered by their smallest element.
    mutating func sets() -> [[Int]] {
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
