import ModelZoo
import XCTest
@testable import LeukemiaKit

/// A configuration that cannot fit is refused before anything runs, with the numbers and a remedy.
final class TrainingMemoryEstimateTests: XCTestCase {
    private func options(_ architecture: Architecture, batch: Int = 32, size: Int = 224,
                         policy: TransferPolicy = .full) throws -> CNNTrainingOptions {
        var options = try CNNTrainingOptions.study(NetworkDescription(architecture, classCount: 4, inputSize: size), seed: 1)
        options.batchSize = batch
        options.policy = policy
        return options
    }

    func testTheMeasuredModelsFitOrNotAsTheirMeasuredPeaksSay() throws {
        let fourGiB: UInt64 = 4 << 30
        // Measured: DenseNet-201 7,700 MiB, Lite0 2,301 MiB at batch 32, 224 x 224.
        XCTAssertThrowsError(try TrainingMemoryEstimate.check(options(.densenet201), physicalMemory: fourGiB)) { error in
            guard case let CNNTrainingError.wouldNotFit(estimate, memory, batch, size)? = error as? CNNTrainingError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual([memory, batch, size], [4096, 32, 224])
            XCTAssertGreaterThan(estimate, 4096)
            XCTAssertTrue("\(error)".contains("lower --batch-size or --input-size"), "\(error)")
        }
        XCTAssertNoThrow(try TrainingMemoryEstimate.check(options(.efficientnetLite0), physicalMemory: fourGiB))
        // Half the batch at half the side: a sixteenth of the activations, and DenseNet-201 fits.
        XCTAssertNoThrow(try TrainingMemoryEstimate.check(options(.densenet201, batch: 16, size: 112), physicalMemory: fourGiB))
        // Frozen: no backward pass through the body.
        XCTAssertNoThrow(try TrainingMemoryEstimate.check(options(.densenet201, policy: .frozen), physicalMemory: fourGiB))
    }

    func testAHugeBatchOfHugeImagesIsRefusedOnThisMachine() throws {
        let huge = try options(.efficientnetLite0, batch: 1024, size: 1024)
        XCTAssertGreaterThan(TrainingMemoryEstimate.mebibytes(for: huge), 1_000_000, "more than a terabyte")
        XCTAssertThrowsError(try TrainingMemoryEstimate.check(huge))
        // The study's hybrid carries 206 M dense weights: more than Lite0 alone by their 16 bytes each.
        let hybrid = try CNNTrainingOptions.study(NetworkDescription(.hybrid, backbone: .efficientnetLite0, hybridVariant: .study,
                                                                     classCount: 4), seed: 1)
        XCTAssertGreaterThan(TrainingMemoryEstimate.mebibytes(for: hybrid) - TrainingMemoryEstimate.mebibytes(for: try options(.efficientnetLite0)),
                             206 * 16)
    }
}
