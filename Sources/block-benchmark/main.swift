// Block benchmark: forward + backward (training mode) of a DenseNet-201 dense block and of a
// ConvNeXt-Tiny block, batch 16, against PyTorch, with peak memory.
//
//   block-benchmark [--rounds N] [--iterations K] [--python PYTHON]
//
// Each measurement runs in a fresh child process (this executable with --child, or
// scripts/benchmarks/blocks_pytorch.py), so that its peak resident memory is its own; Swift and
// PyTorch children alternate round by round, so that machine noise hits both alike. A child times
// K iterations after one warm-up and reports the median; the table gives the median over rounds.
// Run the release build with OMP_NUM_THREADS=2.
import BenchmarkSupport
import Foundation
import ModelZoo
import NeuralNetworks
import Tensors

/// The blocks: the layer of a full-size network to run, and its input shape (NHWC).
enum Block: String, CaseIterable {
    case denseBlock = "densenet201.denseblock1"
    case convNeXtBlock = "convnext_tiny.stage1.block"

    var inputShape: [Int] {
        switch self {
        case .denseBlock: return [16, 56, 56, 64]
        case .convNeXtBlock: return [16, 56, 56, 96]
        }
    }

    /// The block, taken out of the full-size network so that it is exactly the zoo's.
    func makeLayer() throws -> any Layer {
        let (network, key): (any Layer, String) = switch self {
        case .denseBlock: (try DenseNet(configuration: .densenet201, seed: 1), "features.denseblock1")
        case .convNeXtBlock: (try ConvNeXt(configuration: .convnextTiny, seed: 1), "features.1.0")
        }
        guard let layer = network.namedLayers().first(where: { $0.name == key })?.layer else {
            throw BenchmarkError("no layer \(key)")
        }
        return layer
    }
}

/// Child mode: time forward + backward of `block` and print its `ChildReport`.
func runChild(_ block: Block, iterations: Int) throws {
    let layer = try block.makeLayer()
    var generator = 0.0
    let input = Tensor(shape: block.inputShape) { buffer in
        for index in buffer.indices {
            generator = (generator * 1.000_01 + 0.123).truncatingRemainder(dividingBy: 1)
            buffer[index] = Float(generator) - 0.5
        }
    }.requiringGradient()
    try ChildReport.measure(iterations: iterations) {
        let output = layer(input)
        output.sum().backward()
        for parameter in layer.parameters() { parameter.zeroGradient() }
    }.print()
}

func parent(rounds: Int, iterations: Int, python: String) throws {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/benchmarks/blocks_pytorch.py").standardized.path
    let me = CommandLine.arguments[0]
    print("Blocks, batch 16, forward + backward in training mode; median of \(iterations) iterations per child, "
          + "median over \(rounds) alternating rounds; OMP_NUM_THREADS=\(ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "unset")")
    print("block                           engine img/s  PyTorch img/s  ratio   engine peak MiB  PyTorch peak MiB")
    for block in Block.allCases {
        var ours: [ChildReport] = [], theirs: [ChildReport] = []
        for _ in 0..<rounds {
            ours.append(try ChildReport.fromChild(me, ["--child", block.rawValue, "--iterations", "\(iterations)"]))
            theirs.append(try ChildReport.fromChild(python, [script, "--block", block.rawValue, "--iterations", "\(iterations)", "--threads", "2"]))
        }
        let batch = Double(block.inputShape[0])
        let engineRate = batch / median(ours.map(\.medianSeconds)), torchRate = batch / median(theirs.map(\.medianSeconds))
        let enginePeak = Double(ours.map(\.peakRSSKilobytes).max() ?? 0) / 1024, torchPeak = Double(theirs.map(\.peakRSSKilobytes).max() ?? 0) / 1024
        print(block.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)
              + String(format: "%12.1f  %13.1f  %5.2fx  %15.0f  %16.0f", engineRate, torchRate, engineRate / torchRate, enginePeak, torchPeak))
    }
}

OpenMPSpinning.applyToThisProcess()  // as `leukemia` runs: see OpenMPSpinning

do {
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    var rounds = 5, iterations = 5, python = "/work/venv-torch/bin/python", child: Block?
    while let argument = arguments.next() {
        switch argument {
        case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
        case "--iterations": iterations = Int(arguments.next() ?? "") ?? iterations
        case "--python": python = arguments.next() ?? python
        case "--child":
            guard let name = arguments.next(), let block = Block(rawValue: name) else { throw BenchmarkError("--child needs a block name") }
            child = block
        default: throw BenchmarkError("unknown argument \(argument)")
        }
    }
    if let child {
        try runChild(child, iterations: iterations)
    } else {
        try parent(rounds: rounds, iterations: iterations, python: python)
    }
} catch {
    FileHandle.standardError.write(Data("block-benchmark: \(error)\n".utf8))
    exit(1)
}
