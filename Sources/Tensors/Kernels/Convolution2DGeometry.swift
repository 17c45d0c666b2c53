/// Shape of a 2-D convolution (or transposed convolution) over NHWC activations: batch, input size,
/// channel counts, the sliding window, groups (`groups == inputChannels == outputChannels` is
/// depthwise) and whether a bias is added.
package struct Convolution2DGeometry: Hashable, Sendable {
    package var batch: Int
    package var inputHeight: Int, inputWidth: Int
    package var inputChannels: Int, outputChannels: Int
    package var window: Window2D
    package var groups: Int
    package var hasBias: Bool

    /// A geometry; `Convolution2DKernel.init` validates it.
    package init(batch: Int, inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
                 window: Window2D, groups: Int = 1, hasBias: Bool = true) {
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.window = window
        self.groups = groups
        self.hasBias = hasBias
    }

    /// Number of weights: outputChannels * inputChannels / groups * kernel area.
    package var weightCount: Int {
        outputChannels * (inputChannels / max(groups, 1)) * window.kernelHeight * window.kernelWidth
    }

    /// Number of input activations, batch * inputHeight * inputWidth * inputChannels.
    package var inputCount: Int { batch * inputHeight * inputWidth * inputChannels }

    /// A reason the geometry is unusable (independent of direction), or nil.
    var invalidReason: String? {
        if let reason = window.invalidReason { return reason }
        if batch < 1 || inputHeight < 1 || inputWidth < 1 {
            return "input \(batch)x\(inputHeight)x\(inputWidth) must be positive"
        }
        if inputChannels < 1 || outputChannels < 1 || groups < 1 {
            return "channels \(inputChannels) -> \(outputChannels) and groups \(groups) must be positive"
        }
        if inputChannels % groups != 0 || outputChannels % groups != 0 {
            return "channels \(inputChannels) -> \(outputChannels) are not divisible by groups \(groups)"
        }
        return nil
    }

    var keyParameters: [Int] {
        [batch, inputHeight, inputWidth, inputChannels, outputChannels, groups, hasBias ? 1 : 0] + window.keyParameters
    }

    /// E.g. "3x3 s1 p1 16x64x56x56 -> 128" (input given as NxCxHxW like oneDNN's verbose output).
    var shortDescription: String {
        var text = window.shortDescription
        if groups != 1 { text += " g\(groups)" }
        return text + " \(batch)x\(inputChannels)x\(inputHeight)x\(inputWidth) -> \(outputChannels)"
    }
}
