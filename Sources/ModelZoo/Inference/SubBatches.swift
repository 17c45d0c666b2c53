import Tensors

extension InferenceNetwork {
    /// Input pixels per pass of the inference networks whose activations at a whole batch outgrow
    /// the CPU's caches (`Tensor.inSubBatches`): 4 images of 224x224, which keeps DenseNet's first
    /// channel buffer near 13 MB, within a 32 MB L3 cache. Measured on 2 cores of an AMD EPYC Zen 4,
    /// batch 16: DenseNet-201 at 22 images/s in passes of 1–4 images, 19 in passes of 8, 18 in one
    /// pass of 16; EfficientNet-Lite0 at 205 in passes of 4, 202 of 2, 196 of 1 and 195 in one pass
    /// (`model-benchmark --no-python --runs 7`, 2026-12-05); VGG16, compute-bound, 7.25 in passes of
    /// 1 or 4 against 7.37 in one (so it runs whole batches).
    public static let cacheSizedPassPixels = 4 * 224 * 224
}

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
