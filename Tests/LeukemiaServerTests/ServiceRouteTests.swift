import Foundation
import Imaging
import LeukemiaServer
import TestSupport
import ToolkitSupport
import XCTest

/// Every route's answer on good requests, against a service over a CNN and a classical run.
final class ServiceRouteTests: XCTestCase {
    func testEveryRouteAnswersAsDocumented() throws {
        let runs = try ServedRuns.shared()
        let log = try TemporaryFolder(self).url.appendingPathComponent("audit.sqlite")
        let server = try RunningService(runs: [runs.cnn, runs.classical]) { $0.logDatabase = log }
        defer { server.stop() }

        XCTAssertEqual(try server.send("GET", "/healthz").json()["status"] as? String, "alive")
        XCTAssertEqual(try server.send("GET", "/readyz").json()["status"] as? String, "ready")
        let page = try server.send("GET", "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.headers["content-type"]?.hasPrefix("text/html") == true)
        let openAPI = try server.send("GET", "/openapi.json").json()
        XCTAssertNotNil((openAPI["paths"] as? [String: Any])?["/v1/models/{name}/predict"], "the document describes predict")

        let models = try XCTUnwrap(try server.send("GET", "/v1/models").json()["models"] as? [[String: Any]])
        XCTAssertEqual(models.map { $0["name"] as? String }, ["tiny-densenet", "xgboost"])
        XCTAssertEqual(models[0]["classes"] as? [String], SyntheticSmears.classNames)
        XCTAssertEqual(models[0]["input_size"] as? Int, 32)
        XCTAssertEqual(models[0]["explainable"] as? Bool, true)
        XCTAssertEqual(models[1]["explainable"] as? Bool, false)
        XCTAssertNotNil((models[0]["test_metrics"] as? [String: Any])?["accuracy"], "the run's test metrics")
        XCTAssertEqual((models[0]["weights_sha256"] as? String)?.count, 64)

        // One image as the raw body.
        let raw = try server.send("POST", "/v1/models/tiny-densenet/predict",
                                  headers: ["Content-Type": "image/jpeg", "X-File-Name": "cell.jpg"], body: runs.images[0].jpeg)
        XCTAssertEqual(raw.status, 200, raw.text)
        let single = try XCTUnwrap((try raw.json()["predictions"] as? [[String: Any]])?.first)
        XCTAssertEqual(single["file"] as? String, "cell.jpg")
        XCTAssertEqual(single["sha256"] as? String, SHA256.hash(runs.images[0].jpeg).hexString)
        XCTAssertEqual((single["probabilities"] as? [String: Double])?.values.reduce(0, +) ?? 0, 1, accuracy: 1e-6)
        for key in ["predicted_class", "cost_optimal_class", "expected_cost", "prediction_set", "refer_to_person", "latency_ms"] {
            XCTAssertNotNil(single[key], key)
        }

        // Several images as a form, to both models.
        let form = LoopbackHTTPClient.multipart(runs.images.map { ("\($0.className).jpg", "image/jpeg", $0.jpeg) })
        for model in ["tiny-densenet", "xgboost"] {
            let answer = try server.send("POST", "/v1/models/\(model)/predict", headers: ["Content-Type": form.contentType], body: form.body)
            XCTAssertEqual(answer.status, 200, answer.text)
            let predictions = try XCTUnwrap(try answer.json()["predictions"] as? [[String: Any]])
            XCTAssertEqual(predictions.map { $0["file"] as? String }, SyntheticSmears.classNames.map { "\($0).jpg" })
        }

        // Grad-CAM: a PNG overlay at the network's input size for the CNN, 422 for the classical model.
        let overlay = try server.send("POST", "/v1/models/tiny-densenet/explain?class=Pro",
                                      headers: ["Content-Type": "image/jpeg"], body: runs.images[1].jpeg)
        XCTAssertEqual(overlay.status, 200, overlay.text)
        XCTAssertEqual(overlay.headers["x-explained-class"], "Pro")
        let image = try ImageDecoder.decode(data: overlay.body, source: "overlay")
        XCTAssertEqual([image.width, image.height], [32, 32])
        let classical = try server.send("POST", "/v1/models/xgboost/explain", headers: ["Content-Type": "image/jpeg"],
                                        body: runs.images[1].jpeg)
        XCTAssertEqual(classical.status, 422)
        XCTAssertEqual(try classical.json()["error"] as? String, "not_explainable")
        let noMask = try server.send("POST", "/v1/models/tiny-densenet/explain?view=purple-mask",
                                     headers: ["Content-Type": "image/jpeg"], body: runs.images[1].jpeg)
        XCTAssertEqual(noMask.status, 422)
        XCTAssertEqual(try noMask.json()["error"] as? String, "no_purple_mask")

        // The hybrid's purple mask: the image as the network saw it, black outside the mask.
        let hybridServer = try RunningService(runs: [runs.hybrid]) { $0.logDatabase = nil }
        defer { hybridServer.stop() }
        XCTAssertEqual((try hybridServer.send("GET", "/v1/models").json()["models"] as? [[String: Any]])?.first?["purple_mask"] as? Bool, true)
        let maskAnswer = try hybridServer.send("POST", "/v1/models/tiny-hybrid/explain?view=purple-mask",
                                               headers: ["Content-Type": "image/jpeg"], body: runs.images[3].jpeg)
        XCTAssertEqual(maskAnswer.status, 200, maskAnswer.text)
        let mask = try ImageDecoder.decode(data: maskAnswer.body, source: "mask")
        XCTAssertEqual([mask.width, mask.height], [32, 32])
        let black = stride(from: 0, to: mask.pixels.count, by: 3).filter { mask.pixels[$0..<$0 + 3].allSatisfy { $0 == 0 } }.count
        XCTAssertTrue(black > 0 && black < 32 * 32, "the purple cells are kept, the pink background blacked out (\(black) black)")
        XCTAssertEqual(try hybridServer.send("POST", "/v1/models/tiny-hybrid/explain?view=x", headers: ["Content-Type": "image/jpeg"],
                                             body: runs.images[3].jpeg).status, 400)

        // The audit log holds the 1 + 4 + 4 predictions, with the weights' hash.
        let recorded = try XCTUnwrap(try server.send("GET", "/v1/predictions?since=2000-01-01").json()["predictions"] as? [[String: Any]])
        XCTAssertEqual(recorded.count, 9)
        XCTAssertEqual(recorded[0]["image_name"] as? String, "cell.jpg")
        XCTAssertEqual(recorded[0]["client"] as? String, "anonymous")
        XCTAssertEqual(recorded[0]["weights_sha256"] as? String, models[0]["weights_sha256"] as? String)
        let future = try server.send("GET", "/v1/predictions?since=2999-01-01").json()["predictions"] as? [[String: Any]]
        XCTAssertEqual(future?.count, 0)
        XCTAssertEqual(try server.send("GET", "/v1/predictions?since=yesterday").status, 400)

        let metrics = try server.send("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        for name in ["leukemia_http_requests_total{route=\"/v1/models/{name}/predict\",status=\"200\"} 3",
                     "leukemia_images_classified_total 9", "leukemia_batch_size_count", "leukemia_queue_depth",
                     "leukemia_request_duration_seconds_bucket"] {
            XCTAssertTrue(metrics.text.contains(name), "metrics lack \(name):\n\(metrics.text)")
        }
    }
}
