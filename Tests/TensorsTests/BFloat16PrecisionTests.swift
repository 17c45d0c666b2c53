@testable import Tensors
import XCTest

/// Convolutions and matrix products under `ComputePrecision.bf16` against FP32, forward and
/// backward, within the error bf16's 8-bit significand allows, on a CPU with native bf16 (skipped
/// elsewhere, saying why).
///
/// The bound, element by element: each bf16 input is its FP32 value times (1 + d), |d| <= u = 2^-8
/// (round to nearest, 8 significand bits), so each product a·b is off by at most (2u + u²)·|a·b|,
/// and an FP32 sum of K such terms adds at most K·2^-24 of Σ|a·b|. Σ|a·b| is the same pass computed
/// in FP32 on the absolute values: the test runs it to get each element's bound.
final class BFloat16PrecisionTests: XCTestCase {
    private static let unitRoundoff: Float = 1.0 / 256

    override func setUpWithError() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason {
            throw XCTSkip("bf16 needs \(needs)")
        }
    }

    /// Output, input gradient and weight gradient of `conv2d` with the loss `sum(output · r)`.
    private struct Pass {
        var output: [Float], gradInput: [Float], gradWeight: [Float]
    }

    private func pass(_ input: Tensor, _ weight: Tensor, _ r: Tensor, stride: Int, padding: Int, groups: Int,
                      precision: ComputePrecision) -> Pass {
        let x = input.detached().requiringGradient(), w = weight.detached().requiringGradient()
        let output = ComputePrecision.$current.withValue(precision) {
            conv2d(x, weight: w, stride: stride, padding: Padding2D(padding), groups: groups)
        }
        (output * r).sum().backward()
        return Pass(output: output.scalars, gradInput: x.gradient!.scalars, gradWeight: w.gradient!.scalars)
    }

    private func assertWithinBound(_ name: String, _ reduced: [Float], _ exact: [Float], _ absolute: [Float], terms: Int,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let u = Self.unitRoundoff
        let factor = 2 * u + u * u + Float(terms) * 0x1p-24
        var worst: Float = 0, largestDifference: Float = 0
        for index in exact.indices {
            let difference = abs(reduced[index] - exact[index])
            largestDifference = max(largestDifference, difference)
            let bound = factor * absolute[index] + 1e-30
            worst = max(worst, difference / bound)
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(name): a difference reaches \(worst) times its bound", file: file, line: line)
        // bf16 really ran: FP32 inputs this random cannot all survive rounding to 8 bits.
        XCTAssertGreaterThan(largestDifference, 0, "\(name): bf16 gave exactly the FP32 result", file: file, line: line)
    }

    private func check(batch: Int, size: Int, inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1,
                       padding: Int, groups: Int = 1, seed: UInt64, backwardWeightsPrimitive: String = "convolution backward weights ",
                       file: StaticString = #filePath, line: UInt = #line) throws {
        try PrimitiveImplementations.reset()
        let input = randomTensor([batch, size, size, inputChannels], seed: seed)
        let weight = randomTensor([outputChannels, inputChannels / groups, kernel, kernel], seed: seed + 1, standardDeviation: 0.2)
        let outputSize = (size + 2 * padding - kernel) / stride + 1
        let r = randomTensor([batch, outputSize, outputSize, outputChannels], seed: seed + 2)
        let reduced = pass(input, weight, r, stride: stride, padding: padding, groups: groups, precision: .bf16)
        let exact = pass(input, weight, r, stride: stride, padding: padding, groups: groups, precision: .fp32)
        func absolute(_ t: Tensor) -> Tensor { try! Tensor(shape: t.shape, scalars: t.scalars.map(abs)) }
        let bound = pass(absolute(input), absolute(weight), absolute(r), stride: stride, padding: padding, groups: groups,
                         precision: .fp32)
        let perGroupInput = inputChannels / groups
        assertWithinBound("forward", reduced.output, exact.output, bound.output, terms: perGroupInput * kernel * kernel,
                          file: file, line: line)
        assertWithinBound("backward data", reduced.gradInput, exact.gradInput, bound.gradInput,
                          terms: outputChannels / groups * kernel * kernel, file: file, line: line)
        assertWithinBound("backward weights", reduced.gradWeight, exact.gradWeight, bound.gradWeight,
                          terms: batch * outputSize * outputSize, file: file, line: line)
        let bf16Primitives = PrimitiveImplementations.recorded.filter { $0.primitive.hasSuffix(" in bf16") }
        for pass in ["convolution forward ", "convolution backward data ", backwardWeightsPrimitive] {
            XCTAssertTrue(bf16Primitives.contains { $0.primitive.hasPrefix(pass) }, "\(pass)did not run in bf16", file: file, line: line)
        }
        for entry in bf16Primitives {
            XCTAssertFalse(entry.implementation.hasPrefix("ref"), "\(entry.primitive) runs \(entry.implementation)", file: file, line: line)
        }
    }

    func testA3x3ConvolutionInBF16StaysWithinItsBound() throws {
        try check(batch: 2, size: 14, inputChannels: 32, outputChannels: 64, kernel: 3, padding: 1, seed: 11)
    }

    func testAStridedConvolutionInBF16StaysWithinItsBound() throws {
        try check(batch: 3, size: 15, inputChannels: 16, outputChannels: 32, kernel: 3, stride: 2, padding: 1, seed: 21)
    }

    /// A pointwise convolution's backward weights is a matrix product (`PointwiseBackwardWeights`):
    /// it must run in bf16 too.
    func testAPointwiseConvolutionInBF16StaysWithinItsBound() throws {
        try check(batch: 2, size: 9, inputChannels: 48, outputChannels: 24, kernel: 1, padding: 0, seed: 41,
                  backwardWeightsPrimitive: "matrix product ")
    }

    /// `matmul(x, transposing: w)` (what `Linear` runs) and `matmul(x, w)`: output and both gradients.
    func testMatrixProductsInBF16StayWithinTheirBound() throws {
        try PrimitiveImplementations.reset()
        let (m, k, n) = (37, 96, 53)
        func absolute(_ t: Tensor) -> Tensor { try! Tensor(shape: t.shape, scalars: t.scalars.map(abs)) }
        for transposed in [true, false] {
            let x = randomTensor([m, k], seed: 31), w = randomTensor(transposed ? [n, k] : [k, n], seed: 32)
            let r = randomTensor([m, n], seed: 33)
            func pass(_ x: Tensor, _ w: Tensor, _ r: Tensor, _ precision: ComputePrecision) -> Pass {
                let a = x.detached().requiringGradient(), b = w.detached().requiringGradient()
                let output = ComputePrecision.$current.withValue(precision) { transposed ? matmul(a, transposing: b) : matmul(a, b) }
                (output * r).sum().backward()
                return Pass(output: output.scalars, gradInput: a.gradient!.scalars, gradWeight: b.gradient!.scalars)
            }
            let reduced = pass(x, w, r, .bf16), exact = pass(x, w, r, .fp32)
            let bound = pass(absolute(x), absolute(w), absolute(r), .fp32)
            let label = transposed ? "matmul(_:transposing:)" : "matmul"
            assertWithinBound("\(label) forward", reduced.output, exact.output, bound.output, terms: k)
            assertWithinBound("\(label) input gradient", reduced.gradInput, exact.gradInput, bound.gradInput, terms: n)
            assertWithinBound("\(label) weight gradient", reduced.gradWeight, exact.gradWeight, bound.gradWeight, terms: m)
        }
        let products = PrimitiveImplementations.recorded.filter { $0.primitive.hasPrefix("matrix product") }
        XCTAssertTrue(products.allSatisfy { $0.primitive.hasSuffix(" in bf16") && !$0.implementation.hasPrefix("ref") }, "\(products)")
        XCTAssertGreaterThanOrEqual(products.count, 4, "\(products)")
    }

    /// Checks that `operation` (a convolution of `input`, `weight` and `bias` under bf16) gives
    /// exactly `kernel`'s own passes on FP32 buffers, which convert in their plans: the output, and
    /// the input, weight and bias gradients of `sum(output · r)` (whose output gradient is `r`).
    private func assertOperation(_ operation: (Tensor, Tensor, Tensor) -> Tensor, equalsKernel kernel: ConvolutionPrimitives,
                                 input: Tensor, weight: Tensor, bias: Tensor, r: Tensor, _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let x = input.detached().requiringGradient(), w = weight.detached().requiringGradient()
        let b = bias.detached().requiringGradient()
        let output = ComputePrecision.$current.withValue(.bf16) { operation(x, w, b) }
        (output * r).sum().backward()
        var expectedOutput = [Float](repeating: .nan, count: output.scalarCount)
        var expectedGradInput = [Float](repeating: .nan, count: input.scalarCount)
        var expectedGradWeight = [Float](repeating: .nan, count: weight.scalarCount)
        var expectedGradBias = [Float](repeating: .nan, count: bias.scalarCount)
        let (i, wv, bv, g) = (input.scalars, weight.scalars, bias.scalars, r.scalars)
        try kernel.forward(.forwardTraining, input: i, weights: wv, weightsVersion: nil, bias: bv, output: &expectedOutput)
        try kernel.backwardData(gradOutput: .float32(g), weights: wv, weightsVersion: nil, gradInput: &expectedGradInput)
        try kernel.backwardWeights(input: .float32(i), gradOutput: .float32(g), gradWeights: &expectedGradWeight,
                                   gradBias: &expectedGradBias)
        XCTAssertEqual(output.scalars, expectedOutput, "\(label) forward", file: file, line: line)
        XCTAssertEqual(x.gradient!.scalars, expectedGradInput, "\(label) backward data", file: file, line: line)
        XCTAssertEqual(w.gradient!.scalars, expectedGradWeight, "\(label) backward weights", file: file, line: line)
        XCTAssertEqual(b.gradient!.scalars, expectedGradBias, "\(label) bias gradient", file: file, line: line)
        XCTAssertTrue(kernel.name(.forwardTraining).hasSuffix(" in bf16"), "\(label): \(kernel.name(.forwardTraining))",
                      file: file, line: line)
        XCTAssertNotEqual(expectedOutput, ComputePrecision.$current.withValue(.fp32) { operation(input, weight, bias).scalars },
                          "\(label): the kernel computed in FP32", file: file, line: line)
    }

    /// `conv2d` converts its input and its output gradient to bf16 once and hands every pass the
    /// copy (`ConvolutionOperand`). The values must be exactly those of the kernel's passes on FP32
    /// buffers: same rounding, same primitives. Checked on a 3x3 and on a pointwise convolution with
    /// a bias (whose backward weights is a matrix product and whose bias gradient sums the FP32
    /// output gradient).
    func testConvolutionOperandsConvertedOnceGiveTheKernelsOwnBF16Results() throws {
        for (kernelSize, padding, seed) in [(3, 1, UInt64(51)), (1, 0, 61)] {
            let (batch, size, inputs, outputs) = (2, 10, 24, 40)
            let geometry = Convolution2DGeometry(
                batch: batch, inputHeight: size, inputWidth: size, inputChannels: inputs, outputChannels: outputs,
                window: Window2D(kernel: kernelSize, padding: padding), hasBias: true)
            let kernel = try ComputePrecision.$current.withValue(.bf16) { try Convolution2DKernel(geometry) }
            try assertOperation({ conv2d($0, weight: $1, bias: $2, padding: Padding2D(padding)) }, equalsKernel: kernel.primitives,
                                input: randomTensor([batch, size, size, inputs], seed: seed),
                                weight: randomTensor([outputs, inputs, kernelSize, kernelSize], seed: seed + 1, standardDeviation: 0.2),
                                bias: randomTensor([outputs], seed: seed + 2), r: randomTensor([batch, size, size, outputs], seed: seed + 3),
                                "\(kernelSize)x\(kernelSize)")
        }
    }

    /// Backward data can write the input gradient in bf16 (`batchNormConv2d`'s, which the batch norm
    /// before the convolution reads) in every activation layout, the timing-chosen one
    /// (`LEUKEMIA_CONV_AUTOTUNE=1`) included: each value within one bf16 rounding (2^-9 relative,
    /// doubled for FP32 sums added in another order) of the same kernel's FP32 input gradient.
    func testBackwardDataWritesABF16InputGradientInEveryActivationLayout() throws {
        if let needs = ComputePrecision.bf16.unsupportedReason { throw XCTSkip("bf16 needs \(needs)") }
        let (batch, size, inputs, outputs) = (2, 8, 32, 16)
        let geometry = Convolution2DGeometry(batch: batch, inputHeight: size, inputWidth: size, inputChannels: inputs,
                                             outputChannels: outputs, window: Window2D(kernel: 3, padding: 1), hasBias: false)
        let weight = randomTensor([outputs, inputs, 3, 3], seed: 91, standardDeviation: 0.2)
        let gradOutput = randomTensor([batch, size, size, outputs], seed: 92)
        let operand = ConvolutionOperand.bfloat16(try BFloat16Copy(of: gradOutput.kernelInput, count: gradOutput.scalarCount),
                                                  float32: nil)
        for layout in [ConvolutionActivationLayout.nhwc, .primitivePreferred, .fastest] {
            let kernel = try ComputePrecision.$current.withValue(.bf16) {
                try Convolution2DKernel(geometry, activationLayout: layout)
            }.primitives
            let float32 = Tensor(uninitializedShape: [batch, size, size, inputs])
            try kernel.backwardData(gradOutput: operand, weights: weight.kernelInput, weightsVersion: nil,
                                    gradInput: float32.kernelOutput)
            let bfloat16 = BFloat16Copy(uninitializedCount: geometry.inputCount)
            try kernel.backwardData(gradOutput: operand, weights: weight.kernelInput, weightsVersion: nil, gradInput: bfloat16)
            let values = bfloat16.pointer.assumingMemoryBound(to: UInt16.self), expected = float32.scalars
            let largest = expected.map(\.magnitude).max() ?? 0
            let outside = expected.indices.filter {
                abs(BFloat16Bits.float(values[$0]) - expected[$0]) > expected[$0].magnitude / 256 + largest * 1e-6
            }
            XCTAssertTrue(outside.isEmpty, "\(layout): \(outside.count) of \(expected.count) values more than a bf16 rounding "
                          + "from FP32's, first \(outside.first.map { "\(BFloat16Bits.float(values[$0])) against \(expected[$0])" } ?? "")")
        }
        withExtendedLifetime(gradOutput) {}
    }

    /// A depthwise convolution computes in FP32 under bf16 but keeps only a bf16 copy of its input
    /// for its backward pass (`ConvolutionPrimitives.savedInputElementType`): its output and input
    /// gradient are FP32's exactly, and its weight gradient is FP32's on the input rounded to bf16
    /// (round to nearest even, written out here), which differs from FP32's on the input itself.
    func testADepthwiseConvolutionUnderBF16KeepsItsInputAsBF16ForTheWeightGradientOnly() throws {
        let (batch, size, channels) = (2, 9, 32)
        let input = randomTensor([batch, size, size, channels], seed: 81)
        let weight = randomTensor([channels, 1, 3, 3], seed: 82, standardDeviation: 0.2)
        let r = randomTensor([batch, size, size, channels], seed: 83)
        func bfloat16Rounded(_ value: Float) -> Float {
            let bits = value.bitPattern
            return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
        }
        let rounded = try Tensor(shape: input.shape, scalars: input.scalars.map(bfloat16Rounded))
        let underBF16 = pass(input, weight, r, stride: 1, padding: 1, groups: channels, precision: .bf16)
        let exact = pass(input, weight, r, stride: 1, padding: 1, groups: channels, precision: .fp32)
        let onRoundedInput = pass(rounded, weight, r, stride: 1, padding: 1, groups: channels, precision: .fp32)
        XCTAssertEqual(underBF16.output, exact.output, "the forward pass computes in FP32")
        XCTAssertEqual(underBF16.gradInput, exact.gradInput, "backward data reads FP32 weights and gradients")
        XCTAssertEqual(underBF16.gradWeight, onRoundedInput.gradWeight, "backward weights reads the input's bf16 copy")
        XCTAssertNotEqual(underBF16.gradWeight, exact.gradWeight, "the copy is rounded")
    }

    /// The same for a transposed convolution (the hybrid's U-Net upsampling: 2x2, stride 2).
    func testTransposedConvolutionOperandsConvertedOnceGiveTheKernelsOwnBF16Results() throws {
        let (batch, size, inputs, outputs) = (2, 6, 32, 16)
        let geometry = Convolution2DGeometry(batch: batch, inputHeight: size, inputWidth: size, inputChannels: inputs,
                                             outputChannels: outputs, window: Window2D(kernel: 2, stride: 2), hasBias: true)
        let kernel = try ComputePrecision.$current.withValue(.bf16) { try TransposedConvolution2DKernel(geometry) }
        try assertOperation({ transposedConv2d($0, weight: $1, bias: $2, stride: 2) }, equalsKernel: kernel.primitives,
                            input: randomTensor([batch, size, size, inputs], seed: 71),
                            weight: randomTensor([inputs, outputs, 2, 2], seed: 72, standardDeviation: 0.2),
                            bias: randomTensor([outputs], seed: 73), r: randomTensor([batch, 2 * size, 2 * size, outputs], seed: 74),
                            "transposed 2x2")
    }
}
