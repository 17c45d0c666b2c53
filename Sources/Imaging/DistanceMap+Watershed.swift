extension DistanceMap {
    /// Splits the pixels with a positive distance (the set pixels of the mask the map was computed
    /// from) into basins that each hold one clearly separate distance peak: touching round cells
    /// become one basin each, while a single cell with a wavy outline stays whole.
    ///
    /// This is the marker-controlled watershed of the negated distance whose markers are the
    /// h-maxima of the distance, h = `minimumDepth` pixels: a peak becomes a marker when, to reach
    /// any higher peak, one must descend at least `minimumDepth` below it (its *dynamic*). Two
    /// overlapping discs of radius r whose neck is 2w wide have peaks ≈ r and a saddle ≈ w between
    /// them, so they are split when r − w ≥ `minimumDepth`. With `minimumDepth` 0 every regional
    /// maximum is a marker (a plateau counts as one). Every positive pixel gets a basin (there are
    /// no watershed lines) and separate 8-connected regions never share one.
    ///
    /// Flooding by union-find (the "elder rule" of persistence): pixels are visited by decreasing
    /// distance, ties in row-major order. A pixel with no visited 8-neighbour starts a basin whose
    /// peak is its distance. Otherwise, at its level d, a neighbouring basin is deep when its peak
    /// − d ≥ `minimumDepth` and its peak > d (a deep basin stays deep as d decreases, so each
    /// marker keeps a basin of its own):
    ///
    /// - with at most one deep basin around it, the pixel and all its neighbouring basins become
    ///   one basin, whose peak is the highest of theirs;
    /// - with two or more, the pixel lies where deep basins meet: it joins the deep basin of its
    ///   first visited neighbour (the highest one, ties in row-major order), the one that floods
    ///   it first in Meyer's flooding from the markers, and so do its shallow neighbouring basins;
    ///   the deep basins stay apart.
    public func watershed(minimumDepth: Float) -> LabelImage {
        let count = width * height
        var order = (0..<count).filter { distances[$0] > 0 }
        distances.withUnsafeBufferPointer { distance in
            order.sort { distance[$0] > distance[$1] || (distance[$0] == distance[$1] && $0 < $1) }
        }
        var basins = UnionFind(count: count)
        var visited = [Bool](repeating: false, count: count)
        // The highest distance in each basin, stored at the basin's root.
        var peak = [Float](repeating: 0, count: count)
        // The visited 8-neighbours of the current pixel, in row-major order, with their basins.
        var neighbours: [(index: Int, basin: Int)] = []
        var neighbourBasins: [Int] = []
        for index in order {
            let level = distances[index]
            let x = index % width, y = index / width
            neighbours.removeAll(keepingCapacity: true)
            neighbourBasins.removeAll(keepingCapacity: true)
            for ny in max(y - 1, 0)...min(y + 1, height - 1) {
                for nx in max(x - 1, 0)...min(x + 1, width - 1) where visited[ny * width + nx] {
                    let basin = basins.find(ny * width + nx)
                    neighbours.append((ny * width + nx, basin))
                    if !neighbourBasins.contains(basin) { neighbourBasins.append(basin) }
                }
            }
            visited[index] = true
            guard !neighbourBasins.isEmpty else {
                peak[index] = level
                continue
            }
            func isDeep(_ basin: Int) -> Bool { peak[basin] - level >= minimumDepth && peak[basin] > level }
            let deepBasins = neighbourBasins.filter(isDeep)
            // The basin the pixel joins, which absorbs the shallow ones (and, with at most one
            // deep basin, all of them).
            var target = neighbourBasins[0]
            if deepBasins.count >= 2 {
                // The deep basin of the highest neighbour (the first visited).
                var first = -1
                for neighbour in neighbours where deepBasins.contains(neighbour.basin)
                    && (first < 0 || distances[neighbour.index] > distances[first]) {
                    first = neighbour.index
                    target = neighbour.basin
                }
            } else {
                for basin in neighbourBasins where peak[basin] > peak[target] { target = basin }
            }
            let targetPeak = peak[target]
            var joined = basins.union(target, index)
            for basin in neighbourBasins where basin != target && !(deepBasins.count >= 2 && isDeep(basin)) {
                joined = basins.union(joined, basin)
            }
            peak[joined] = targetPeak
        }
        let rawLabels = (0..<count).map { visited[$0] ? basins.find($0) + 1 : 0 }
        return LabelImage(validatedWidth: width, height: height, renumbering: rawLabels)
    }
}
