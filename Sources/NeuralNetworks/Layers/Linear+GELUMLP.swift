import Tensors

extension Linear {
    /// `project(gelu(expand(x)))`, PyTorch's `Linear` → `GELU` → `Linear`, as one operation where both
    /// layers have a bias (`geluMLP`: under bf16 its hidden activations stay bf16 between kernels);
    /// otherwise the three layers one after the other. `x [..., expand.inFeatures]` →
    /// `[..., project.outFeatures]`.
    public static func geluMLP(_ x: Tensor, expand: Linear, project: Linear) -> Tensor {
        guard let expandBias = expand.bias, let projectBias = project.bias else { return project(gelu(expand(x))) }
        return Tensors.geluMLP(x, expandWeight: expand.weight.value, expandBias: expandBias.value,
                               projectWeight: project.weight.value, projectBias: projectBias.value)
    }
}
