import Foundation
import Tensors
import XCTest

/// Misused operations stop with a message naming the operation and the shapes at fault.
///
/// Each probe runs in a child process (this test binary, filtered to `testProbe` with the probe
/// named in the environment), since the stop ends the process; the parent reads its output.
final class OperationErrorMessageTests: XCTestCase {
    private static let probeVariable = "TENSORS_ERROR_PROBE"

    private static let probes: [String: () -> Void] = [
        "broadcast": { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) },
        "matmul": { _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5])) },
        "axis": { _ = Tensor.zeros([2, 3]).sum(alongAxes: 2) },
        "label": { _ = softmaxCrossEntropy(logits: Tensor.zeros([2, 3]), labels: [0, 3]) },
    ]

    /// Runs the probe named in the environment (does nothing in a normal test run).
    func testProbe() {
        guard let name = ProcessInfo.processInfo.environment[Self.probeVariable], let probe = Self.probes[name] else { return }
        probe()
    }

    private func messageOfProbe(_ name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["TensorsTests.OperationErrorMessageTests/testProbe"]
        process.environment = ProcessInfo.processInfo.environment.merging([Self.probeVariable: name]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0, "probe \(name) should stop the process")
        return text
    }

    func testShapeAxisAndLabelErrorsAreNamed() throws {
        #if os(Linux)
        XCTAssertTrue(try messageOfProbe("broadcast").contains("+: shapes [2, 3] and [4] do not match"))
        XCTAssertTrue(try messageOfProbe("matmul").contains("matmul: shapes [2, 3] and [4, 5] do not match"))
        XCTAssertTrue(try messageOfProbe("axis").contains("sum(alongAxes:): axis 2 is out of range for a tensor of rank 2"))
        XCTAssertTrue(try messageOfProbe("label").contains("softmaxCrossEntropy: label 3 is outside 0..<3"))
        #else
        throw XCTSkip("the child-process probe uses the Linux XCTest command line")
        #endif
    }
}
