@testable import Tensors

/// Naive Double references for convolution and transposed convolution on NHWC activations with
/// PyTorch weight layouts, written from the definitions (loops over every output/input pixel).
enum ConvolutionReference {
    /// PyTorch conv2d: out[n,y,x,o] = b[o] + sum w[o, c, ky, kx] * in[n, y*s - pt + ky*d, x*s - pl + kx*d, g*Cg + c].
    static func forward(_ g: Convolution2DGeometry, input: [Double], weights: [Double], bias: [Double]?) -> [Double] {
        let w = g.window
        let (oh, ow) = w.outputSize(inputHeight: g.inputHeight, inputWidth: g.inputWidth)
        let cg = g.inputChannels / g.groups, og = g.outputChannels / g.groups
        var out = [Double](repeating: 0, count: g.batch * oh * ow * g.outputChannels)
        for n in 0..<g.batch { for y in 0..<oh { for x in 0..<ow { for o in 0..<g.outputChannels {
            let group = o / og
            var sum = bias?[o] ?? 0
            for ky in 0..<w.kernelHeight { for kx in 0..<w.kernelWidth {
                let iy = y * w.strideY - w.padding.top + ky * w.dilationY
                let ix = x * w.strideX - w.padding.left + kx * w.dilationX
                guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                for c in 0..<cg {
                    let inputIndex = ((n * g.inputHeight + iy) * g.inputWidth + ix) * g.inputChannels + group * cg + c
                    let weightIndex = ((o * cg + c) * w.kernelHeight + ky) * w.kernelWidth + kx
                    sum += input[inputIndex] * weights[weightIndex]
                }
            }}
            out[((n * oh + y) * ow + x) * g.outputChannels + o] = sum
        }}}}
        return out
    }

    /// PyTorch conv_transpose2d: every input pixel scatters in[n,iy,ix,c] * w[c, o, ky, kx] to
    /// out[n, iy*s - pt + ky*d, ix*s - pl + kx*d, g*Og + o]; positions outside the output are dropped.
    static func transposedForward(_ g: Convolution2DGeometry, outputHeight oh: Int, outputWidth ow: Int,
                                  input: [Double], weights: [Double], bias: [Double]?) -> [Double] {
        let w = g.window
        let cg = g.inputChannels / g.groups, og = g.outputChannels / g.groups
        var out = [Double](repeating: 0, count: g.batch * oh * ow * g.outputChannels)
        for n in 0..<g.batch { for y in 0..<oh { for x in 0..<ow { for o in 0..<g.outputChannels {
            out[((n * oh + y) * ow + x) * g.outputChannels + o] = bias?[o] ?? 0
        }}}}
        for n in 0..<g.batch { for iy in 0..<g.inputHeight { for ix in 0..<g.inputWidth { for c in 0..<g.inputChannels {
            let group = c / cg
            let value = input[((n * g.inputHeight + iy) * g.inputWidth + ix) * g.inputChannels + c]
            for ky in 0..<w.kernelHeight { for kx in 0..<w.kernelWidth {
                let y = iy * w.strideY - w.padding.top + ky * w.dilationY
                let x = ix * w.strideX - w.padding.left + kx * w.dilationX
                guard y >= 0, y < oh, x >= 0, x < ow else { continue }
                for o in 0..<og {
                    let weightIndex = ((c * og + o) * w.kernelHeight + ky) * w.kernelWidth + kx
                    out[((n * oh + y) * ow + x) * g.outputChannels + group * og + o] += value * weights[weightIndex]
                }
            }}
        }}}}
        return out
    }

    /// Gradient of `forward` with respect to its weights (ungrouped): dw[o, c, ky, kx] = sum over
    /// n, y, x of in[n, y*s - pt + ky*d, x*s - pl + kx*d, c] * dout[n, y, x, o].
    static func weightGradient(_ g: Convolution2DGeometry, input: [Double], gradOutput: [Double]) -> [Double] {
        precondition(g.groups == 1, "the reference weight gradient is for ungrouped convolutions")
        let w = g.window
        let (oh, ow) = w.outputSize(inputHeight: g.inputHeight, inputWidth: g.inputWidth)
        var gradient = [Double](repeating: 0, count: g.weightCount)
        for n in 0..<g.batch { for y in 0..<oh { for x in 0..<ow {
            for ky in 0..<w.kernelHeight { for kx in 0..<w.kernelWidth {
                let iy = y * w.strideY - w.padding.top + ky * w.dilationY
                let ix = x * w.strideX - w.padding.left + kx * w.dilationX
                guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                let inputBase = ((n * g.inputHeight + iy) * g.inputWidth + ix) * g.inputChannels
                let outputBase = ((n * oh + y) * ow + x) * g.outputChannels
                for o in 0..<g.outputChannels {
                    let upstream = gradOutput[outputBase + o]
                    for c in 0..<g.inputChannels {
                        gradient[((o * g.inputChannels + c) * w.kernelHeight + ky) * w.kernelWidth + kx]
                            += input[inputBase + c] * upstream
                    }
                }
            }}
        }}}
        return gradient
    }
}
