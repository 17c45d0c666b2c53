import Datasets
import Foundation
import ToolkitSupport
import XCTest
@testable import LeukemiaKit

/// A run records the peak memory of its own training, not of what the process did before (a
/// study trains its models one after the other in one process).
final class PeakTrainingMemoryTests: XCTestCase {
    /// Touches `mebibytes` of fresh memory, then frees it: the process's peak rises by about that much.
    private func touchAndFree(mebibytes: Int) {
        let count = mebibytes << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        for offset in stride(from: 0, to: count, by: 4096) { buffer[offset] = UInt8(truncatingIfNeeded: offset >> 12) }
        buffer.deallocate()
    }

    func testResetForgetsAnEarlierPeak() throws {
        touchAndFree(mebibytes: 384)
        let before = PeakMemory.residentMebibytes()
        XCTAssertTrue(PeakMemory.reset(), "Linux lets a process reset its own peak (/proc/self/clear_refs)")
        let after = PeakMemory.residentMebibytes()
        XCTAssertLessThan(after, before - 300, "the 384 MiB freed before the reset are no longer the peak (before \(before), after \(after))")
        touchAndFree(mebibytes: 128)
        XCTAssertGreaterThan(PeakMemory.residentMebibytes(), after + 100, "a new peak after the reset is seen")
    }

    func testATrainingRecordsItsOwnPeakNotThePeakBeforeIt() throws {
        let fixture = try CNNTestFixture(self, perClass: 12)
        touchAndFree(mebibytes: 1024)
        let processPeak = PeakMemory.residentMebibytes()
        let url = fixture.root.appendingPathComponent("xgboost")
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: .xgboost, dataDirectory: fixture.data, runDirectory: url, seed: 1,
                                                            split: SplitConfiguration(seed: 3), reusedSplit: nil)) { _ in }
        let configuration: RunConfiguration = try RunDirectory(url).readJSON(RunDirectory(url).configuration)
        let recorded = try XCTUnwrap(configuration.peakMemoryMiB, "a new run records its peak training memory")
        XCTAssertLessThan(recorded, processPeak - 800, "the 1 GiB touched before the training is not its peak")
        XCTAssertGreaterThan(recorded, 5, "a process that loaded libsvm and XGBoost holds more than 5 MiB")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: RunDirectory(url).configuration)) as? [String: Any]
        XCTAssertEqual(json?["peak_memory_mib"] as? Double, recorded, "written as peak_memory_mib in config.json")
    }
}
