// Engine benchmark: GFLOP/s of the oneDNN convolution kernels (forward, backward data, backward
// weights) at layer shapes of VGG16, DenseNet-201 and ConvNeXt-Tiny (batch 16, 224x224 stages),
// optionally against PyTorch, with each side's peak memory.
// Run the release build with OMP_NUM_THREADS=2.
//
//   engine-benchmark [--rounds N] [--iterations K] [--variants] [--filter TEXT] [--pytorch PYTHON] [--other]
// Every measurement (one layer, one side, one round) runs in a fresh child process (this executable
// with --child, or scripts/benchmarks/engine_pytorch.py), which times K runs of each pass after a
// warm-up and reports their median and its peak resident memory; the Swift and PyTorch children
// alternate layer by layer and round by round, so that load from other jobs hits both alike. The
// table gives the median over rounds. Convolutions run as the conv2d operation runs them
// (`ConvolutionActivationLayout.operationDefault`, `ConvolutionAlgorithm.staticChoice`).
//     --variants        also time forced direct NHWC, direct blocked and (where oneDNN has it for the layer) Winograd
//     --other           also time pooling, normalization and activation kernels (milliseconds, in process)
//     --filter TEXT     only layers whose network or name contains TEXT
//     --pytorch PYTHON  run scripts/benchmarks/engine_pytorch.py with PYTHON and print the ratios
import BenchmarkSupport
import Foundation
import Tensors
import ToolkitSupport
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

struct Options {
    var rounds = 5
    var iterations = 1
    var variants = false
    var filter: String?
    var python: String?
    var otherKernels = false

    init(arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        func count(_ flag: String) throws -> Int {
            guard let value = iterator.next().flatMap(Int.init), value > 0 else { throw UsageError("\(flag) needs a positive count") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--rounds", "--runs": rounds = try count(argument)
            case "--iterations": iterations = try count(argument)
            case "--variants": variants = true
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

/// How the Swift side runs a convolution.
enum Variant: String, CaseIterable {
    /// As the conv2d operation does.
    case standard = "default"
    case directNHWC = "direct nhwc"
    case directBlocked = "direct blocked"
    case winograd

    func makeKernel(_ geometry: Convolution2DGeometry) throws -> Convolution2DKernel {
        switch self {
        case .standard: return try Convolution2DKernel(geometry, activationLayout: .operationDefault)
        case .directNHWC: return try Convolution2DKernel(geometry, activationLayout: .nhwc, algorithm: .direct)
        case .directBlocked: return try Convolution2DKernel(geometry, activationLayout: .primitivePreferred, algorithm: .direct)
        case .winograd: return try Convolution2DKernel(geometry, algorithm: .winograd)
        }
    }

    /// Winograd only where the library has Winograd kernels (not oneDNN 3.2: a forced Winograd
    /// kernel would run direct) and the layer suits them.
    func applies(to geometry: Convolution2DGeometry) -> Bool {
        self != .winograd || (ConvolutionAlgorithm.winogradIsAvailable && ConvolutionAlgorithm.winogradSupports(geometry))
    }
}

/// What one engine child reports (not `BenchmarkSupport.ChildReport`: three passes): median seconds of forward, backward data and backward weights, its
/// peak resident memory, and (Swift) the implementations.
struct PassReport: Codable {
    let seconds: [Double]
    let peak_rss_kb: Int
    let implementations: String
}

/// A 64-byte aligned Float buffer filled with small deterministic values.
func makeBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
    for index in 0..<count { pointer[index] = Float((index * 7919) % 1000) / 1000 - 0.5 }
    return pointer
}

/// Child mode: the three passes of one layer in one variant.
func runChild(_ shape: LayerShape, variant: Variant, iterations: Int) throws -> PassReport {
    let g = shape.geometry
    let kernel = try variant.makeKernel(g)
    let input = makeBuffer(g.inputCount), weights = makeBuffer(g.weightCount), bias = makeBuffer(g.outputChannels)
    let output = makeBuffer(kernel.outputCount), gradOutput = makeBuffer(kernel.outputCount)
    let gradInput = makeBuffer(g.inputCount), gradWeights = makeBuffer(g.weightCount), gradBias = makeBuffer(g.outputChannels)
    defer { for buffer in [input, weights, bias, output, gradOutput, gradInput, gradWeights, gradBias] { buffer.deallocate() } }
    let version = WeightsVersion(owner: 1, version: 0)
    let seconds = [
        try medianSeconds(iterations: iterations) {
            try kernel.forward(input: input, weights: weights, weightsVersion: version, bias: bias, output: output)
        },
        try medianSeconds(iterations: iterations) {
            try kernel.backwardData(gradOutput: gradOutput, weights: weights, weightsVersion: version, gradInput: gradInput)
        },
        try medianSeconds(iterations: iterations) {
            try kernel.backwardWeights(input: input, gradOutput: gradOutput, gradWeights: gradWeights, gradBias: gradBias)
        },
    ]
    let implementations = try [ConvolutionPass.forwardTraining, .backwardData, .backwardWeights].map { try kernel.implementation(of: $0) }
    return PassReport(seconds: seconds, peak_rss_kb: PeakMemory.residentKilobytes(),
                       implementations: implementations.joined(separator: " / "))
}

/// One PyTorch child for `shape`: median seconds per pass and peak memory.
func pytorchChild(python: String, shape: LayerShape, iterations: Int) throws -> PassReport {
    struct Report: Decodable {
        struct Layer: Decodable { let forward: Double, backward_data: Double, backward_weights: Double }
        let torch: String
        let peak_rss_kb: Int
        let layers: [Layer]
    }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/benchmarks/engine_pytorch.py").standardized
    let shapesJSON = String(decoding: try JSONEncoder().encode([shape]), as: UTF8.self)
    let report = try ChildProcess.run(python, [script.path, "--shapes", shapesJSON, "--runs", "\(iterations)", "--threads", "2"],
                                      as: Report.self)
    guard let layer = report.layers.first else { throw UsageError("\(script.path) reported no layer") }
    return PassReport(seconds: [layer.forward, layer.backward_data, layer.backward_weights], peak_rss_kb: report.peak_rss_kb,
                       implementations: "PyTorch \(report.torch)")
}

/// Median milliseconds of the forward and backward passes of the non-convolution kernels at
/// DenseNet-201 / ConvNeXt-Tiny activation sizes (batch 16).
func timeOtherKernels(runs: Int) throws {
    func milliseconds(_ body: () throws -> Void) rethrows -> String {
        String(format: "%8.3f", try medianSeconds(iterations: runs, body) * 1e3)
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
    let fused = BatchNormActivationKernel(rows: rows, channels: channels, epsilon: 1e-5, upper: 6)
    row("batch norm + ReLU6 fused (Swift) 56x56x256",
        milliseconds { fused.forwardTraining(input: x, scale: perChannel[0], shift: perChannel[1], output: y,
                                             mean: perChannel[2], variance: perChannel[3]) },
        milliseconds { fused.backward(gradOutput: dy, input: x, scale: perChannel[0], shift: perChannel[1], mean: perChannel[2],
                                      variance: perChannel[3], statisticsWereGiven: false, gradInput: dx,
                                      gradScale: perChannel[1], gradShift: perChannel[1]) })
    // A DenseNet-201 layer's batch norm + ReLU of the concatenated block input and earlier outputs:
    // copied into one buffer first (and the input gradient split back into the parts' gathered
    // gradients), against reading and adding into the parts in place (`batchNorm(concatenating:)`).
    for (label, pixels, widths) in [("block1 layer6 @56", n * side * side, [64] + Array(repeating: 32, count: 5)),
                                    ("block3 layer48 @14", n * 14 * 14, [256] + Array(repeating: 32, count: 47))] {
        let total = widths.reduce(0, +)
        let kernel = BatchNormActivationKernel(rows: pixels, channels: total, epsilon: 1e-5, upper: .infinity)
        let parts = widths.map { makeBuffer(pixels * $0) }, partGradients = widths.map { makeBuffer(pixels * $0) }
        let whole = makeBuffer(pixels * total), wholeGradient = makeBuffer(pixels * total), gradOut = makeBuffer(pixels * total)
        let coefficients = (0..<6).map { _ in makeBuffer(total) }
        defer { for buffer in parts + partGradients + coefficients + [whole, wholeGradient, gradOut] { buffer.deallocate() } }
        for c in 0..<total { coefficients[0][c] = 1; coefficients[1][c] = 0.1; coefficients[3][c] = 1 }
        func copyRows(toWhole: Bool) {
            Parallel.forEachChunk(count: pixels, costPerItem: total) { range in
                for row in range {
                    var position = whole + row * total, gradientPosition = wholeGradient + row * total
                    for (index, width) in widths.enumerated() {
                        if toWhole { position.update(from: parts[index] + row * width, count: width) }
                        else { let target = partGradients[index] + row * width; for k in 0..<width { target[k] += gradientPosition[k] } }
                        position += width; gradientPosition += width
                    }
                }
            }
        }
        let inPlace = BatchNormActivationKernel.Input.channelParts(parts.map { UnsafePointer($0) }, widths: widths)
        let inPlaceGradient = BatchNormActivationKernel.InputGradient.channelParts(partGradients, widths: widths,
                                                                                   adding: widths.map { _ in true })
        row("bn+ReLU \(label), copied",
            milliseconds { copyRows(toWhole: true)
                           kernel.forwardTraining(input: whole, scale: coefficients[0], shift: coefficients[1], output: gradOut,
                                                  mean: coefficients[2], variance: coefficients[3]) },
            milliseconds { kernel.backward(gradOutput: gradOut, input: whole, scale: coefficients[0], shift: coefficients[1],
                                           mean: coefficients[2], variance: coefficients[3], statisticsWereGiven: false,
                                           gradInput: wholeGradient, gradScale: coefficients[4], gradShift: coefficients[5])
                           copyRows(toWhole: false) })
        row("bn+ReLU \(label), parts",
            milliseconds { kernel.forwardTraining(input: inPlace, scale: coefficients[0], shift: coefficients[1],
                                                  output: .float32(gradOut), mean: coefficients[2], variance: coefficients[3]) },
            milliseconds { kernel.backward(gradOutput: .float32(gradOut), input: inPlace, scale: coefficients[0], shift: coefficients[1],
                                           mean: coefficients[2], variance: coefficients[3], statisticsWereGiven: false,
                                           gradInput: inPlaceGradient, gradScale: coefficients[4], gradShift: coefficients[5]) })
        row("bn+ReLU \(label), channel buffer",
            milliseconds { kernel.forwardTraining(input: .strided(whole, rowStride: total), scale: coefficients[0],
                                                  shift: coefficients[1], output: .float32(gradOut), mean: coefficients[2],
                                                  variance: coefficients[3]) },
            milliseconds { kernel.backward(gradOutput: .float32(gradOut), input: .strided(whole, rowStride: total), scale: coefficients[0],
                                           shift: coefficients[1], mean: coefficients[2], variance: coefficients[3],
                                           statisticsWereGiven: false, gradInput: inPlaceGradient, gradScale: coefficients[4],
                                           gradShift: coefficients[5]) })
        // The same into bf16 and from a bf16 output gradient (`batchNormConv2d` under bf16).
        let halves = UnsafeMutablePointer<UInt16>.allocate(capacity: pixels * total)
        defer { halves.deallocate() }
        halves.initialize(repeating: 0x3F80, count: pixels * total)
        row("bn+ReLU \(label), channel buffer, bf16",
            milliseconds { kernel.forwardTraining(input: .strided(whole, rowStride: total), scale: coefficients[0],
                                                  shift: coefficients[1], output: .bfloat16(halves), mean: coefficients[2],
                                                  variance: coefficients[3]) },
            milliseconds { kernel.backward(gradOutput: .bfloat16(halves), input: .strided(whole, rowStride: total),
                                           scale: coefficients[0], shift: coefficients[1], mean: coefficients[2],
                                           variance: coefficients[3], statisticsWereGiven: false, gradInput: inPlaceGradient,
                                           gradScale: coefficients[4], gradShift: coefficients[5]) })
    }
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

/// The side of a measurement: a Swift variant or PyTorch.
enum Side: Hashable {
    case swift(Variant)
    case pytorch

    var label: String {
        switch self {
        case let .swift(variant): return variant.rawValue
        case .pytorch: return "PyTorch"
        }
    }
}

OpenMPSpinning.applyToThisProcess()  // as `leukemia` runs: see OpenMPSpinning

do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--child" {
        // --child LAYER-INDEX VARIANT ITERATIONS
        guard arguments.count == 4, let index = Int(arguments[1]), shapes.indices.contains(index),
              let variant = Variant(rawValue: arguments[2]), let iterations = Int(arguments[3]) else {
            throw UsageError("--child needs a layer index, a variant and an iteration count")
        }
        let report = try runChild(shapes[index], variant: variant, iterations: iterations)
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        exit(0)
    }
    let options = try Options(arguments: arguments)
    let selected = shapes.indices.filter { index in
        options.filter.map { shapes[index].name.contains($0) || shapes[index].network.contains($0) } ?? true
    }
    let threads = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "unset"
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
    print("Convolution GFLOP/s, batch 16: median over \(options.rounds) rounds of the median of \(options.iterations) runs, "
          + "each in its own process, sides alternating; OMP_NUM_THREADS=\(threads), load average at start \(load ?? "?")")
    var reports: [Int: [Side: [PassReport]]] = [:]
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
    for round in 0..<options.rounds {
        FileHandle.standardError.write(Data("round \(round + 1) of \(options.rounds)\n".utf8))
        for index in selected {
            let shape = shapes[index]
            var sides = (options.variants ? Variant.allCases : [.standard]).filter { $0.applies(to: shape.geometry) }
                .map(Side.swift)
            if options.python != nil { sides.append(.pytorch) }
            for side in sides {
                let report: PassReport
                switch side {
                case let .swift(variant):
                    report = try ChildProcess.run(executable, ["--child", "\(index)", variant.rawValue, "\(options.iterations)"],
                                            as: PassReport.self)
                case .pytorch:
                    report = try pytorchChild(python: options.python ?? "", shape: shape, iterations: options.iterations)
                }
                reports[index, default: [:]][side, default: []].append(report)
            }
        }
    }
    print(padded("network", 14) + padded("layer", 27) + padded("side", 16) + padded("fwd", 8) + padded("bwd-data", 9)
          + padded("bwd-wts", 9) + padded("peak MiB", 10) + padded("vs PyTorch", 20) + "implementations (fwd / bwd-data / bwd-weights)")
    for index in selected {
        let shape = shapes[index], g = shape.geometry
        let flops = 2 * Double(try Convolution2DKernel(g).outputCount) * Double(g.inputChannels / g.groups * shape.kernel * shape.kernel)
        func medians(_ side: Side) -> [Double]? {
            guard let list = reports[index]?[side] else { return nil }
            return (0..<3).map { pass in median(list.map { $0.seconds[pass] }) }
        }
        let torch = medians(.pytorch)
        let sides = (Variant.allCases.map(Side.swift) + [.pytorch]).filter { reports[index]?[$0] != nil }
        for side in sides {
            guard let seconds = medians(side), let list = reports[index]?[side] else { continue }
            let rates = seconds.map { String(format: "%7.1f", flops / $0 / 1e9) }
            let peak = String(format: "%8.0f", Double(list.map(\.peak_rss_kb).max() ?? 0) / 1024)
            let ratios = side == .pytorch ? "" : torch.map { theirs in
                zip(theirs, seconds).map { String(format: "%4.2f", $0 / $1) }.joined(separator: "/")
            } ?? ""
            print(padded(shape.network, 14) + padded(shape.name, 27) + padded(side.label, 16)
                  + rates.map { padded($0, 9) }.joined() + padded(peak, 10) + padded(ratios, 20)
                  + list[0].implementations)
        }
    }
    if options.otherKernels { try timeOtherKernels(runs: options.rounds) }
} catch {
    FileHandle.standardError.write("engine-benchmark: \(error)\n".data(using: .utf8)!)
    exit(1)
}
