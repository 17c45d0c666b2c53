import Foundation
import ModelZoo
import XCTest
@testable import LeukemiaKit

/// Runs written before the model registry (toolkit 0.3) named their network by `architecture`,
/// `backbone`, `input_size` and `normalization` beside the blueprint; they still load.
final class LegacyRunOptionsTests: XCTestCase {
    /// `options` as the previous toolkit wrote them: its four network keys instead of `network`.
    private func legacyJSON(_ options: CNNTrainingOptions) throws -> Data {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as? [String: Any])
        let network = try XCTUnwrap(object.removeValue(forKey: "network") as? [String: Any])
        object["architecture"] = network["architecture"]
        object["backbone"] = network["backbone"]
        object["input_size"] = network["input_size"]
        object["normalization"] = network["normalization"]
        XCTAssertNil(object["network"])
        return try JSONSerialization.data(withJSONObject: object)
    }

    func testOptionsWithoutANetworkDescriptionAreReadFromTheOldKeys() throws {
        for description in [NetworkDescription(.efficientnetLite0, classCount: 4),
                            NetworkDescription(.densenet201, classCount: 4, inputSize: 96),
                            NetworkDescription(.hybrid, backbone: .efficientnetLite0, hybridVariant: .light, classCount: 4),
                            NetworkDescription(.hybrid, backbone: .densenet201, hybridVariant: .study, classCount: 4)] {
            let options = try CNNTrainingOptions.study(description, seed: 42)
            let decoded = try JSONDecoder().decode(CNNTrainingOptions.self, from: legacyJSON(options))
            XCTAssertEqual(decoded, options, description.name)
        }
    }

    func testOptionsWithoutAResizePolicySquashAsBefore() throws {
        var options = try CNNTrainingOptions.study(NetworkDescription(.efficientnetLite0, classCount: 3), seed: 1)
        options.resize = .centerCrop
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as? [String: Any])
        XCTAssertEqual(object["resize"] as? String, "center-crop")
        XCTAssertEqual(try JSONDecoder().decode(CNNTrainingOptions.self, from: JSONSerialization.data(withJSONObject: object)).resize,
                       .centerCrop)
        object.removeValue(forKey: "resize")
        XCTAssertEqual(try JSONDecoder().decode(CNNTrainingOptions.self, from: JSONSerialization.data(withJSONObject: object)).resize,
                       .squash)
    }
}
