// Engine benchmark: GFLOP/s of the oneDNN convolution kernels (forward, backward data, backward
// weights) at layer shapes of VGG16, DenseNet-201 and ConvNeXt-Tiny (batch 16, 224x224 stages),
// median of several timed runs. Run the release build with OMP_NUM_THREADS=2.
//
//   engine-benchmark [--runs N] [--layouts] [--filter TEXT]
//     --layouts   also compare NHWC against oneDNN-chosen activation layouts for every shape
import Foundation
import Tensors

/// One convolution layer to time.
struct LayerShape {
    let network: String
    let name: String
    let geometry: Convolution2DGeometry

    init(_ network: String, _ name: String, size: Int, input: Int, output: Int, kernel: Int, stride: Int = 1,
         groups: Int = 1, batch: Int = 16) {
        self.network = network
        self.name = name
        geometry = Convolution2DGeometry(batch: batch, inputHeight: size, inputWidth: size, inputChannels: input,
                                         outputChannels: output,
                                         window: Window2D(kernel: kernel, stride: stride, padding: (kernel - 1) / 2),
                                         groups: groups, hasBias: true)
    }

    /// Multiply-adds times two of one pass (all three passes do the same arithmetic).
    func flops(outputHeight: Int, outputWidth: Int) -> Double {
        let g = geometry
        return 2 * Double(g.batch * outputHeight * outputWidth * g.outputChannels)
            * Double(g.inputChannels / g.groups * g.window.kernelHeight * g.window.kernelWidth)
    }
}

let shapes: [LayerShape] = [
    LayerShape("VGG16", "conv2_2 3x3 128->128 @112", size: 112, input: 128, output: 128, kernel: 3),
    LayerShape("VGG16", "conv3_2 3x3 256->256 @56", size: 56, input: 256, output: 256, kernel: 3),
    LayerShape("VGG16", "conv4_2 3x3 512->512 @28", size: 28, input: 512, output: 512, kernel: 3),
    LayerShape("DenseNet-201", "block1 1x1 256->128 @56", size: 56, input: 256, output: 128, kernel: 1),
    LayerShape("DenseNet-201", "block1 3x3 128->32 @56", size: 56, input: 128, output: 32, kernel: 3),
    LayerShape("DenseNet-201", "block3 1x1 1024->128 @14", size: 14, input: 1024, output: 128, kernel: 1),
    LayerShape("DenseNet-201", "block3 3x3 128->32 @14", size: 14, input: 128, output: 32, kernel: 3),
    LayerShape("ConvNeXt-Tiny", "stem 4x4/4 3->96 @224", size: 224, input: 3, output: 96, kernel: 4, stride: 4),
    LayerShape("ConvNeXt-Tiny", "stage1 dw7x7 96 @56", size: 56, input: 96, output: 96, kernel: 7, groups: 96),
    LayerShape("ConvNeXt-Tiny", "stage1 1x1 96->384 @56", size: 56, input: 96, output: 384, kernel: 1),
    LayerShape("ConvNeXt-Tiny", "stage3 dw7x7 384 @14", size: 14, input: 384, output: 384, kernel: 7, groups: 384),
    LayerShape("ConvNeXt-Tiny", "stage3 1x1 384->1536 @14", size: 14, input: 384, output: 1536, kernel: 1),
]

struct Options {
    var runs = 5
    var compareLayouts = false
    var filter: String?

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--runs":
                guard let value = iterator.next().flatMap(Int.init), value > 0 else { throw UsageError("--runs needs a positive count") }
                runs = value
            case "--layouts": compareLayouts = true
            case "--filter":
                guard let value = iterator.next() else { throw UsageError("--filter needs text") }
                filter = value
            default: throw UsageError("unknown argument \(argument)")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Median seconds of `runs` timed calls of `body` after one warm-up call.
func medianSeconds(runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// A 64-byte aligned Float buffer filled with small deterministic values.
func makeBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
    for index in 0..<count { pointer[index] = Float((index * 7919) % 1000) / 1000 - 0.5 }
    return pointer
}

/// GFLOP/s of forward, backward data and backward weights of one layer in one activation layout.
func measure(_ shape: LayerShape, layout: ConvolutionActivationLayout, runs: Int) throws -> (forward: Double, data: Double, weights: Double, implementation: String) {
    let kernel = try Convolution2DKernel(shape.geometry, activationLayout: layout)
    let g = shape.geometry
    let input = makeBuffer(g.inputCount), weights = makeBuffer(g.weightCount), bias = makeBuffer(g.outputChannels)
    let output = makeBuffer(kernel.outputCount), gradOutput = makeBuffer(kernel.outputCount)
    let gradInput = makeBuffer(g.inputCount), gradWeights = makeBuffer(g.weightCount), gradBias = makeBuffer(g.outputChannels)
    defer { for buffer in [input, weights, bias, output, gradOutput, gradInput, gradWeights, gradBias] { buffer.deallocate() } }
    let version = WeightsVersion(owner: 1, version: 0)
    let flops = shape.flops(outputHeight: kernel.outputHeight, outputWidth: kernel.outputWidth)
    let forward = try medianSeconds(runs: runs) {
        try kernel.forward(input: input, weights: weights, weightsVersion: version, bias: bias, output: output)
    }
    let data = try medianSeconds(runs: runs) {
        try kernel.backwardData(gradOutput: gradOutput, weights: weights, weightsVersion: version, gradInput: gradInput)
    }
    let weightsTime = try medianSeconds(runs: runs) {
        try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: gradWeights, gradBias: gradBias)
    }
    return (flops / forward / 1e9, flops / data / 1e9, flops / weightsTime / 1e9, try kernel.forwardImplementation())
}

func format(_ value: Double) -> String { String(format: "%7.1f", value) }

do {
    let options = try Options(arguments: CommandLine.arguments)
    let threads = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "unset"
    print("Convolution GFLOP/s, batch 16, median of \(options.runs) runs, OMP_NUM_THREADS=\(threads)")
    print("network        layer                          layout      forward  bwd-data  bwd-weights  implementation")
    for shape in shapes where options.filter.map({ shape.name.contains($0) || shape.network.contains($0) }) ?? true {
        let layouts: [ConvolutionActivationLayout] = options.compareLayouts ? [.nhwc, .primitivePreferred] : [.nhwc]
        for layout in layouts {
            let result = try measure(shape, layout: layout, runs: options.runs)
            let layoutName = layout == .nhwc ? "nhwc" : "preferred"
            print("\(shape.network.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                  + "\(shape.name.padding(toLength: 30, withPad: " ", startingAt: 0)) "
                  + "\(layoutName.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                  + "\(format(result.forward))  \(format(result.data))  \(format(result.weights))      \(result.implementation)")
        }
    }
} catch {
    FileHandle.standardError.write("engine-benchmark: \(error)\n".data(using: .utf8)!)
    exit(1)
}
