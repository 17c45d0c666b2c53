extension Tensor {
    /// Applies a oneDNN pointwise activation and records its backward pass, keeping the forward
    /// output or input (whichever the derivative needs).
    static func activation(_ x: Tensor, _ activation: Activation) -> Tensor {
        let operation = "\(activation)"
        guard x.scalarCount > 0 else { return x.detached() }
        let kernel = kernelCall(operation) { try EltwiseKernel(activation, count: x.scalarCount) }
        let output = Tensor(uninitializedShape: x.shape)
        kernelCall(operation) { try kernel.forward(input: x.kernelInput, output: output.kernelOutput) }
        guard shouldRecord(x) else { return output }
        let saved = activation.backwardUsesOutput ? output : x.detached()
        let shape = x.shape
        return output.recording(operation, inputs: [x]) { gradient in
            let result = Tensor(uninitializedShape: shape)
            kernelCall(operation + " backward") {
                try kernel.backward(gradOutput: gradient.kernelInput, saved: saved.kernelInput, gradInput: result.kernelOutput)
            }
            return [result]
        }
    }
}
