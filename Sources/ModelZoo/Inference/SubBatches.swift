import Tensors

extension Tensor {
    /// `body` applied to consecutive slices of at most `imagesPerPass` images along the batch axis,
    /// the results joined along the batch axis again. For memory-bound networks whose working set
    /// at a full batch does not fit the CPU's caches (e.g. DenseNet's first channel buffer: 51 MB at
    /// 16 images of 224x224, 13 MB at 4), several small passes are faster than one large one.
    func inSubBatches(ofAtMost imagesPerPass: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        precondition(imagesPerPass > 0, "inSubBatches: imagesPerPass must be positive, got \(imagesPerPass)")
        let batch = shape[0]
        guard batch > imagesPerPass else { return body(self) }
        let sizes = stride(from: 0, to: batch, by: imagesPerPass).map { Swift.min(imagesPerPass, batch - $0) }
        return Tensor(concatenating: split(sizes: sizes, alongAxis: 0).map(body), alongAxis: 0)
    }
}
