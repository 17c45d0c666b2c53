extension Tensor {
    /// Runs 2-D pooling over NHWC activations and records its backward pass (max pooling keeps
    /// the arg-max workspace until then).
    static func pool2d(_ operation: String, _ input: Tensor, window: Window2D, mode: PoolingMode) -> Tensor {
        input.checkNHWC(operation)
        let kernel = kernelCall(operation) {
            try Pooling2DKernel(batch: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2],
                                channels: input.shape[3], window: window, mode: mode)
        }
        let output = Tensor(uninitializedShape: [kernel.batch, kernel.outputHeight, kernel.outputWidth, kernel.channels])
        guard shouldRecord(input) else {
            kernelCall(operation) { try kernel.forwardInference(input: input.kernelInput, output: output.kernelOutput) }
            return output
        }
        let workspace = kernelCall(operation) { try kernel.forward(input: input.kernelInput, output: output.kernelOutput) }
        let inputShape = input.shape
        return output.recording(operation, inputs: [input]) { gradient in
            let result = Tensor(uninitializedShape: inputShape)
            kernelCall(operation + " backward") {
                try kernel.backward(gradOutput: gradient.kernelInput, workspace: workspace, gradInput: result.kernelOutput)
            }
            return [result]
        }
    }
}
