// Engine benchmark: GFLOP/s of the oneDNN convolution kernels (forward, backward data, backward
// weights) at layer shapes of VGG16, DenseNet-201 and ConvNeXt-Tiny (batch 16, 224x224 stages),
// median of several timed runs (best run in parentheses), optionally against PyTorch.
// Run the release build with OMP_NUM_THREADS=2.
//
//   engine-benchmark [--runs N] [--layouts] [--filter TEXT] [--pytorch PYTHON] [--other]
// Convolutions run with ConvolutionActivationLayout.fastest (what the conv2d operation uses).
//     --layouts         also time fixed NHWC and fixed oneDNN-chosen activation layouts
//     --other           also time pooling, normalization and activation kernels (milliseconds)
//     --filter TEXT     only layers whose network or name contains TEXT
//     --pytorch PYTHON  run scripts/benchmarks/engine_pytorch.py with PYTHON and print the ratios
import Foundation
import Tensors

/// One convolution layer to time.
struct LayerShape: Encodable {
    let network: String
    let name: String
    let batch: Int, size: Int, input: Int, output: Int, kernel: Int, stride: Int, padding: Int, groups: Int

    init(_ network: String, _ name: String, size: Int, input: Int, output: Int, kernel: Int, stride: Int = 1,
         groups: Int = 1) {
        self.network = network
        self.name = name
        batch = 16
        self.size = size
        self.input = input
        self.output = output
        self.kernel = kernel
        self.stride = stride
        padding = stride == 1 ? (kernel - 1) / 2 : 0
        self.groups = groups
    }

    var geometry: Convolution2DGeometry {
        Convolution2DGeometry(batch: batch, inputHeight: size, inputWidth: size, inputChannels: input, outputChannels: output,
                              window: Window2D(kernel: kernel, stride: stride, padding: padding), groups: groups)
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

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Options {
    var runs = 5
    var compareLayouts = false
    var filter: String?
    var python: String?
    var otherKernels = false

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--runs":
                guard let value = iterator.next().flatMap(Int.init), value > 0 else { throw UsageError("--runs needs a positive count") }
                runs = value
            case "--layouts": compareLayouts = true
            case "--other": otherKernels = true
            case "--filter":
                guard let value = iterator.next() else { throw UsageError("--filter needs text") }
                filter = value
            case "--pytorch":
                guard let value = iterator.next() else { throw UsageError("--pytorch needs the path of a Python with torch") }
                python = value
            default: throw UsageError("unknown argument \(argument)")
            }
        }
    }
}

/// Throughput of one pass: median and best GFLOP/s.
struct Throughput {
    let median: Double
    let best: Double

    var text: String { String(format: "%6.1f (%5.1f)", median, best) }
}

/// Times `runs` calls of `body` after one warm-up call.
func throughput(flops: Double, runs: Int, _ body: () throws -> Void) rethrows -> Throughput {
    try body()
    var seconds: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    seconds.sort()
    return Throughput(median: flops / seconds[seconds.count / 2] / 1e9, best: flops / seconds[0] / 1e9)
}

/// A 64-byte aligned Float buffer filled with small deterministic values.
func makeBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
    for index in 0..<count { pointer[index] = Float((index * 7919) % 1000) / 1000 - 0.5 }
    return pointer
}

/// Throughput of the three passes of one layer in one activation layout, and the implementations.
func measure(_ shape: LayerShape, layout: ConvolutionActivationLayout, runs: Int) throws -> (passes: [Throughput], implementations: String) {
    let g = shape.geometry
    let kernel = try Convolution2DKernel(g, activationLayout: layout)
    let input = makeBuffer(g.inputCount), weights = makeBuffer(g.weightCount), bias = makeBuffer(g.outputChannels)
    let output = makeBuffer(kernel.outputCount), gradOutput = makeBuffer(kernel.outputCount)
    let gradInput = makeBuffer(g.inputCount), gradWeights = makeBuffer(g.weightCount), gradBias = makeBuffer(g.outputChannels)
    defer { for buffer in [input, weights, bias, output, gradOutput, gradInput, gradWeights, gradBias] { buffer.deallocate() } }
    let version = WeightsVersion(owner: 1, version: 0)
    let flops = 2 * Double(kernel.outputCount) * Double(g.inputChannels / g.groups * g.window.kernelHeight * g.window.kernelWidth)
    let passes = [
        try throughput(flops: flops, runs: runs) {
            try kernel.forward(input: input, weights: weights, weightsVersion: version, bias: bias, output: output)
        },
        try throughput(flops: flops, runs: runs) {
            try kernel.backwardData(gradOutput: gradOutput, weights: weights, weightsVersion: version, gradInput: gradInput)
        },
        try throughput(flops: flops, runs: runs) {
            try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: gradWeights, gradBias: gradBias)
        },
    ]
    let implementations = try [ConvolutionPass.forwardTraining, .backwardData, .backwardWeights].map { try kernel.implementation(of: $0) }
    return (passes, implementations.joined(separator: " / "))
}

/// PyTorch's median GFLOP/s per layer name: [forward, backward data, backward weights].
func pytorchThroughput(python: String, shapes: [LayerShape], runs: Int) throws -> [String: [Double]] {
    struct Report: Decodable {
        struct Layer: Decodable {
            let name: String
            let forward: Double, backward_data: Double, backward_weights: Double
        }
        let torch: String
        let threads: Int
        let layers: [Layer]
    }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/benchmarks/engine_pytorch.py").standardized
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    let shapesJSON = String(decoding: try JSONEncoder().encode(shapes), as: UTF8.self)
    process.arguments = [script.path, "--shapes", shapesJSON, "--runs", "\(runs)", "--threads", "2"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw UsageError("\(script.path) exited with status \(process.terminationStatus)")
    }
    let report = try JSONDecoder().decode(Report.self, from: data)
    print("PyTorch \(report.torch), \(report.threads) threads, channels-last")
    return Dictionary(uniqueKeysWithValues: report.layers.map { ($0.name, [$0.forward, $0.backward_data, $0.backward_weights]) })
}

/// Median milliseconds of the forward and backward passes of the non-convolution kernels at
/// DenseNet-201 / ConvNeXt-Tiny activation sizes (batch 16).
func timeOtherKernels(runs: Int) throws {
    func milliseconds(_ body: () throws -> Void) rethrows -> String {
        let rate = try throughput(flops: 1e6, runs: runs, body)  // 1e6 "flops" per call: GFLOP/s = 1 / ms
        return String(format: "%8.3f", 1 / rate.median)
    }
    func row(_ name: String, _ forward: String, _ backward: String) {
        print(padded(name, 44) + padded(forward, 12) + backward)
    }
    print(padded("kernel (batch 16, NHWC)", 44) + padded("fwd ms", 12) + "bwd ms")
    let (n, side, channels) = (16, 56, 256)
    let count = n * side * side * channels
    let x = makeBuffer(count), y = makeBuffer(count), dy = makeBuffer(count), dx = makeBuffer(count)
    let perChannel = (0..<4).map { _ in makeBuffer(channels) }
    defer { for buffer in [x, y, dy, dx] + perChannel { buffer.deallocate() } }

    let batchNorm = try BatchNormalizationKernel(batch: n, height: side, width: side, channels: channels)
    row("batch norm 56x56x256 (DenseNet block1)",
        try milliseconds { try batchNorm.forwardTraining(input: x, scale: perChannel[0], shift: perChannel[1], output: y,
                                                          mean: perChannel[2], variance: perChannel[3]) },
        try milliseconds { try batchNorm.backward(gradOutput: dy, input: x, scale: perChannel[0], mean: perChannel[2],
                                                   variance: perChannel[3], gradInput: dx, gradScale: perChannel[1],
                                                   gradShift: perChannel[1]) })
    let rows = n * side * side
    let layerNorm = try LayerNormalizationKernel(rows: rows * channels / 96, channels: 96)
    let statistics = [makeBuffer(rows * channels / 96), makeBuffer(rows * channels / 96)]
    defer { for buffer in statistics { buffer.deallocate() } }
    row("layer norm over 96 channels (ConvNeXt, 2.7x)",
        try milliseconds { try layerNorm.forward(input: x, scale: perChannel[0], shift: perChannel[1], output: y,
                                                  mean: statistics[0], variance: statistics[1]) },
        try milliseconds { try layerNorm.backward(gradOutput: dy, input: x, scale: perChannel[0], mean: statistics[0],
                                                   variance: statistics[1], gradInput: dx, gradScale: perChannel[1],
                                                   gradShift: perChannel[2]) })
    let pooling = try Pooling2DKernel(batch: n, inputHeight: side * 2, inputWidth: side * 2, channels: channels / 4,
                                      window: Window2D(kernel: 3, stride: 2, padding: 1), mode: .max)
    var workspace: AlignedBuffer?
    row("max pool 3x3/2 112x112x64 (DenseNet stem)",
        try milliseconds { workspace = try pooling.forward(input: x, output: y) },
        try milliseconds { try pooling.backward(gradOutput: dy, workspace: workspace, gradInput: dx) })
    let tiny = try EltwiseKernel(.relu, count: 16)
    row("relu over 16 floats (per-call overhead)",
        try milliseconds { try tiny.forward(input: x, output: y) },
        try milliseconds { try tiny.backward(gradOutput: dy, saved: y, gradInput: dx) })
    for activation in Activation.allCases {
        let kernel = try EltwiseKernel(activation, count: count)
        row("\(activation) over 16x56x56x256",
            try milliseconds { try kernel.forward(input: x, output: y) },
            try milliseconds { try kernel.backward(gradOutput: dy, saved: activation.backwardUsesOutput ? y : x, gradInput: dx) })
    }
}

func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }

do {
    let options = try Options(arguments: CommandLine.arguments)
    let selected = shapes.filter { shape in options.filter.map { shape.name.contains($0) || shape.network.contains($0) } ?? true }
    let threads = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "unset"
    print("Convolution GFLOP/s, batch 16: median (best) of \(options.runs) runs, OMP_NUM_THREADS=\(threads)")
    print(padded("network", 14) + padded("layer", 27) + padded("layout", 19)
          + padded("forward", 16) + padded("bwd-data", 16) + padded("bwd-weights", 16) + "implementations (fwd / bwd-data / bwd-weights)")
    var engine: [String: [Double]] = [:]
    for shape in selected {
        let layouts: [ConvolutionActivationLayout] = options.compareLayouts ? [.nhwc, .primitivePreferred, .fastest] : [.fastest]
        for layout in layouts {
            let result = try measure(shape, layout: layout, runs: options.runs)
            if layout == .fastest { engine[shape.name] = result.passes.map(\.median) }
            print(padded(shape.network, 14) + padded(shape.name, 27) + padded("\(layout)", 19)
                  + result.passes.map { padded($0.text, 16) }.joined() + result.implementations)
        }
    }
    if options.otherKernels { try timeOtherKernels(runs: options.runs) }
    if let python = options.python {
        let pytorch = try pytorchThroughput(python: python, shapes: selected, runs: options.runs)
        print(padded("layer", 27) + "PyTorch GFLOP/s fwd / bwd-data / bwd-weights    engine/PyTorch ratio")
        for shape in selected {
            guard let theirs = pytorch[shape.name], let ours = engine[shape.name] else { continue }
            let values = theirs.map { String(format: "%6.1f", $0) }.joined(separator: " / ")
            let ratios = zip(ours, theirs).map { String(format: "%5.2f", $0 / $1) }.joined(separator: " / ")
            print(padded(shape.name, 27) + padded(values, 45) + ratios)
        }
    }
} catch {
    FileHandle.standardError.write("engine-benchmark: \(error)\n".data(using: .utf8)!)
    exit(1)
}
