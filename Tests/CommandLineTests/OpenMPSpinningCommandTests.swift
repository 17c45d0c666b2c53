import Foundation
import XCTest

/// `leukemia` re-executes itself once so that libgomp reads the toolkit's spin count, and says so
/// in `--version` (and in every run's recorded libraries); a user's own setting wins.
final class OpenMPSpinningCommandTests: XCTestCase {
    private func openMPLine(_ environment: [String: String?]) throws -> String? {
        let outcome = try CommandRunner.run(["--version"], environment: environment)
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        return outcome.standardOutput.split(separator: "\n").map(String.init).first { $0.hasPrefix("openmp ") }
    }

    func testTheToolkitSetsTheSpinCountWhenTheUserDidNot() throws {
        XCTAssertEqual(try openMPLine(["GOMP_SPINCOUNT": nil, "OMP_WAIT_POLICY": nil, "LEUKEMIA_GOMP_SPINCOUNT_SET": nil]),
                       "openmp GOMP_SPINCOUNT=10000 (set by the toolkit)")
    }

    func testAUsersSettingIsLeftAlone() throws {
        XCTAssertEqual(try openMPLine(["GOMP_SPINCOUNT": "500", "OMP_WAIT_POLICY": nil]),
                       "openmp GOMP_SPINCOUNT=500 (from the environment)")
        XCTAssertEqual(try openMPLine(["GOMP_SPINCOUNT": nil, "OMP_WAIT_POLICY": "passive"]),
                       "openmp OMP_WAIT_POLICY=passive (from the environment)")
    }
}
