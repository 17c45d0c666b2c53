internal import CDNNL

/// The oneDNN argument lists that batch and layer normalization share (both normalize with a
/// mean and variance per statistics group and apply a per-channel scale and shift).
enum NormalizationArguments {
    /// Forward pass: `input` normalized into `output`; `mean`/`variance` are written in training
    /// and read with given statistics, or absent (inference of a layer normalization).
    static func forward(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>, mean: UnsafePointer<Float>? = nil,
                        variance: UnsafePointer<Float>? = nil) -> [DNNLArgument] {
        var arguments = [DNNLArgument(DNNL_ARG_SRC, input), DNNLArgument(DNNL_ARG_SCALE, scale),
                         DNNLArgument(DNNL_ARG_SHIFT, shift), DNNLArgument(DNNL_ARG_DST, output)]
        if let mean, let variance {
            arguments += [DNNLArgument(DNNL_ARG_MEAN, mean), DNNLArgument(DNNL_ARG_VARIANCE, variance)]
        }
        return arguments
    }

    /// Backward pass: gradients with respect to input, scale and shift.
    static func backward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                         mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>,
                         gradShift: UnsafeMutablePointer<Float>) -> [DNNLArgument] {
        // oneDNN 2.6 insists on a SHIFT argument whenever `dnnl_use_shift` is set, although the
        // gradients never read it; `scale` has the same size and stands in for it.
        [DNNLArgument(DNNL_ARG_DIFF_DST, gradOutput), DNNLArgument(DNNL_ARG_SRC, input),
         DNNLArgument(DNNL_ARG_SCALE, scale), DNNLArgument(DNNL_ARG_SHIFT, scale), DNNLArgument(DNNL_ARG_MEAN, mean),
         DNNLArgument(DNNL_ARG_VARIANCE, variance), DNNLArgument(DNNL_ARG_DIFF_SRC, gradInput),
         DNNLArgument(DNNL_ARG_DIFF_SCALE, gradScale), DNNLArgument(DNNL_ARG_DIFF_SHIFT, gradShift)]
    }
}
