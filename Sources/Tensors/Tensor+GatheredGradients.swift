/// Where an accumulating backward pass (`AccumulatingBackwardFunction`) puts its inputs' gradients
/// when each is written row by row in one pass: the gradient an input has gathered from later
/// operations, added into in place where its storage is not shared (a dense block's earlier feature
/// maps gather one part per later layer), else a fresh buffer, written, to which a shared gathered
/// gradient is added afterwards.
struct GatheredGradientTargets {
    /// One buffer per input (nil where the input needs no gradient).
    private(set) var targets: [Tensor?] = []
    /// Whether the pass adds into `targets[i]` (true) or writes it (false).
    private(set) var adding: [Bool] = []
    /// Gathered gradients that were shared, to be added to the fresh buffers after the pass.
    private var shared: [Tensor?] = []

    /// Takes the gathered gradients out of `sums` for the inputs that need one (`needs`), of `shapes`.
    init(needs: [Bool], shapes: [[Int]], sums: inout [Tensor?]) {
        for index in needs.indices {
            guard needs[index] else {
                targets.append(nil); adding.append(false); shared.append(nil)
                continue
            }
            if var sum = sums[index] {
                sums[index] = nil
                let unique = isKnownUniquelyReferenced(&sum.storage)
                targets.append(unique ? sum : Tensor(uninitializedShape: shapes[index]))
                adding.append(unique)
                shared.append(unique ? nil : sum)
            } else {
                targets.append(Tensor(uninitializedShape: shapes[index])); adding.append(false); shared.append(nil)
            }
        }
    }

    /// The targets' storage, nil where no gradient is needed (valid while `targets` lives).
    var pointers: [UnsafeMutablePointer<Float>?] { targets.map { $0?.storage.baseAddress } }

    /// After the pass: each target, with its shared gathered gradient added, back into `sums`.
    func finish(into sums: inout [Tensor?]) {
        for index in targets.indices {
            guard targets[index] != nil else { continue }
            var sum = targets[index]
            if let earlier = shared[index] { Tensor.accumulate(earlier, into: &sum) }
            sums[index] = sum
        }
    }
}
