import Foundation
import TestSupport
import XCTest

extension TemporaryFolder {
    /// The path of `name` inside the folder, as a command-line argument.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The JSON object a command wrote at `name` inside the folder (`config.json`, `metrics.json`, ...).
    func json(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent(name))) as? [String: Any])
    }
}
