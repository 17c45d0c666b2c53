@testable import Tensors
import TestSupport
import XCTest

final class KernelPoolingTests: XCTestCase {
    /// Naive pooling over NHWC in Double; positions outside the image are skipped (max, exclude) or count as 0 (include).
    static func reference(_ kernel: Pooling2DKernel, _ input: [Double]) -> [Double] {
        let w = kernel.window
        var out = [Double]()
        for n in 0..<kernel.batch { for y in 0..<kernel.outputHeight { for x in 0..<kernel.outputWidth {
            for c in 0..<kernel.channels {
                var values = [Double]()
                for ky in 0..<w.kernelHeight { for kx in 0..<w.kernelWidth {
                    let iy = y * w.strideY - w.padding.top + ky * w.dilationY
                    let ix = x * w.strideX - w.padding.left + kx * w.dilationX
                    guard iy >= 0, iy < kernel.inputHeight, ix >= 0, ix < kernel.inputWidth else { continue }
                    values.append(input[((n * kernel.inputHeight + iy) * kernel.inputWidth + ix) * kernel.channels + c])
                }}
                switch kernel.mode {
                case .max: out.append(values.max()!)
                case .averageIncludingPadding: out.append(values.reduce(0, +) / Double(w.kernelHeight * w.kernelWidth))
                case .averageExcludingPadding: out.append(values.reduce(0, +) / Double(values.count))
                }
            }
        }}}
        return out
    }

    static let windows: [(String, Window2D)] = [
        ("2x2 s2", .init(kernel: 2, stride: 2)),
        ("3x3 s2 p1", .init(kernel: 3, stride: 2, padding: 1)),
        ("3x3 s1 p1", .init(kernel: 3, stride: 1, padding: 1)),
        ("asymmetric 3x2", .init(kernelHeight: 3, kernelWidth: 2, strideY: 1, strideX: 2,
                                 padding: .init(top: 0, bottom: 1, left: 1, right: 0))),
        ("2x2 d2", .init(kernel: 2, stride: 1, dilation: 2)),
    ]

    func testForwardAndBackwardMatchReference() throws {
        for (label, window) in Self.windows {
            for mode in [PoolingMode.max, .averageIncludingPadding, .averageExcludingPadding] {
                let kernel = try Pooling2DKernel(batch: 2, inputHeight: 6, inputWidth: 5, channels: 3, window: window, mode: mode)
                let input = randomFloats(2 * 6 * 5 * 3, seed: 31)
                var output = [Float](repeating: .nan, count: kernel.outputCount)
                let workspace = try kernel.forward(input: input, output: &output)
                XCTAssertEqual(workspace != nil, mode == .max, "\(label) \(mode) workspace")
                assertClose(output, Self.reference(kernel, input.doubles), "\(label) \(mode) forward")
                var inferenceOutput = [Float](repeating: .nan, count: kernel.outputCount)
                try kernel.forwardInference(input: input, output: &inferenceOutput)
                XCTAssertEqual(inferenceOutput, output, "\(label) \(mode) inference")

                let gradOutput = randomFloats(kernel.outputCount, seed: 32)
                var gradInput = [Float](repeating: .nan, count: input.count)
                try kernel.backward(gradOutput: gradOutput, workspace: workspace, gradInput: &gradInput)
                assertClose(gradInput, numericalGradient(at: input.doubles, h: 1e-6) {
                    dot(Self.reference(kernel, $0), gradOutput.doubles)
                }, "\(label) \(mode) backward")
            }
        }
    }

    func testGlobalAverageIsChannelMean() throws {
        let kernel = try Pooling2DKernel.globalAverage(batch: 2, height: 4, width: 3, channels: 5)
        let input = randomFloats(2 * 4 * 3 * 5, seed: 33)
        var output = [Float](repeating: .nan, count: kernel.outputCount)
        try kernel.forward(input: input, output: &output)
        XCTAssertEqual(kernel.outputCount, 10)
        let expected = (0..<10).map { index -> Double in
            let (n, c) = (index / 5, index % 5)
            return (0..<12).reduce(0.0) { $0 + Double(input[(n * 12 + $1) * 5 + c]) } / 12
        }
        assertClose(output, expected, "global average")
    }

    func testMaxBackwardWithoutWorkspaceIsRejected() throws {
        let kernel = try Pooling2DKernel(batch: 1, inputHeight: 4, inputWidth: 4, channels: 2,
                                         window: .init(kernel: 2, stride: 2), mode: .max)
        var gradInput = [Float](repeating: 0, count: 32)
        XCTAssertThrowsError(try kernel.backward(gradOutput: [Float](repeating: 1, count: 8), workspace: nil,
                                                 gradInput: &gradInput)) {
            XCTAssertTrue("\($0)".hasPrefix("max pooling backward 2x2 s2 p0 1x2x4x4"), "\($0)")
            XCTAssertTrue("\($0)".contains("workspace"), "\($0)")
        }
    }

    func testWindowLargerThanPaddedInputIsRejected() {
        XCTAssertThrowsError(try Pooling2DKernel(batch: 1, inputHeight: 2, inputWidth: 2, channels: 1,
                                                 window: .init(kernel: 4), mode: .max)) {
            XCTAssertEqual("\($0)", "pooling 4x4 s1 p0 1x1x2x2: invalid geometry: output would be -1x-1 for input 2x2")
        }
    }
}
