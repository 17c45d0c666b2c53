internal import CDNNL

/// A oneDNN elementwise algorithm with its parameters: run by `EltwiseKernel`, or applied by
/// another primitive to its output before storing it (a post-op).
struct EltwiseOperation {
    let algorithm: dnnl_alg_kind_t
    let alpha: Float
    let beta: Float
}
