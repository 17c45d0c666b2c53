import WeightFiles
import XCTest

/// A checkpoint of another architecture differs in hundreds of keys; the message counts them and
/// names the first few, while the error keeps every key for code that needs them.
final class StateDictMismatchTests: XCTestCase {
    func testAWrongArchitectureIsSummarizedByCountsAndTheFirstKeys() {
        let expected = Dictionary(uniqueKeysWithValues: (0..<300).map { ("features.\($0).weight", [4, 4]) })
        var loaded: StateDict = Dictionary(uniqueKeysWithValues: (0..<120).map {
            ("layers.\($0).weight", NamedArray(shape: [4, 4], values: Array(repeating: 0, count: 16)))
        })
        loaded["features.0.weight"] = NamedArray(shape: [2], values: [0, 0])
        XCTAssertThrowsError(try checkStateDict(loaded, expected: expected)) { error in
            guard let mismatch = error as? StateDictMismatch else { return XCTFail("\(error)") }
            XCTAssertEqual([mismatch.missing.count, mismatch.unexpected.count, mismatch.misshaped.count], [299, 120, 1])
            let message = mismatch.description
            XCTAssertTrue(message.contains("299 missing (features.1.weight, features.10.weight, features.100.weight, "
                                           + "features.101.weight, features.102.weight, and 294 more)"), message)
            XCTAssertTrue(message.contains("120 unexpected (layers.0.weight, layers.1.weight, layers.10.weight, "
                                           + "layers.100.weight, layers.101.weight, and 115 more)"), message)
            XCTAssertTrue(message.contains("1 mis-shaped (features.0.weight: expected [4, 4], found [2])"), message)
            XCTAssertTrue(message.hasSuffix("weights of another architecture?"), message)
            XCTAssertLessThan(message.count, 600)
        }
    }
}
