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
    ///
    /// - Parameter passingShift: whether SHIFT is passed too. oneDNN 3.2 checks the number of inputs
    ///   at execution: its layer normalization backward counts SHIFT among them (with
    ///   `dnnl_use_shift`), although the gradients never read it, and `scale`, of the same size,
    ///   stands in for it; its batch normalization backward does not, and rejects it.
    static func backward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                         mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>,
                         gradShift: UnsafeMutablePointer<Float>, passingShift: Bool) -> [DNNLArgument] {
        [DNNLArgument(DNNL_ARG_DIFF_DST, gradOutput), DNNLArgument(DNNL_ARG_SRC, input),
         DNNLArgument(DNNL_ARG_SCALE, scale), DNNLArgument(DNNL_ARG_MEAN, mean),
         DNNLArgument(DNNL_ARG_VARIANCE, variance), DNNLArgument(DNNL_ARG_DIFF_SRC, gradInput),
         DNNLArgument(DNNL_ARG_DIFF_SCALE, gradScale), DNNLArgument(DNNL_ARG_DIFF_SHIFT, gradShift)]
            + (passingShift ? [DNNLArgument(DNNL_ARG_SHIFT, scale)] : [])
    }
}
