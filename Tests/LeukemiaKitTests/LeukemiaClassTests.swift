import XCTest
@testable import LeukemiaKit
@testable import Datasets

final class LeukemiaClassTests: XCTestCase {
    func testOrderAndNames() {
        XCTAssertEqual(LeukemiaClass.allCases.map(\.rawValue), [0, 1, 2, 3])
        XCTAssertEqual(LeukemiaClass.names, ["Benign", "Early", "Pre", "Pro"])
    }

    func testFolderNamesIgnoreCase() {
        XCTAssertEqual(LeukemiaClass(folderName: "benign"), .benign)
        XCTAssertEqual(LeukemiaClass(folderName: "EARLY"), .early)
        XCTAssertEqual(LeukemiaClass(folderName: "pRe"), .pre)
        XCTAssertEqual(LeukemiaClass(folderName: "Pro"), .pro)
        XCTAssertNil(LeukemiaClass(folderName: "Bengin"))
        XCTAssertNil(LeukemiaClass(folderName: "Pro "))
    }
}
