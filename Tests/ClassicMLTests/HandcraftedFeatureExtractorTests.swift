import Foundation
import Imaging
import TestSupport
import XCTest
import ClassicML

final class HandcraftedFeatureExtractorTests: XCTestCase {
    private let purple = HSVRange(hue: 0.75...0.92, minimumSaturation: 0.3, minimumValue: 0.2)
    private let size = 64

    private var extractor: HandcraftedFeatureExtractor {
        HandcraftedFeatureExtractor(purpleRange: purple, inputSize: size, minimumRegionArea: 5)
    }

    private func image(width: Int? = nil, height: Int? = nil,
                       _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) throws -> RGBImage {
        let width = width ?? size, height = height ?? size
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let (red, green, blue) = color(x, y)
                pixels += [red, green, blue]
            }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The features of `image` by name.
    private func named(_ image: RGBImage, _ extractor: HandcraftedFeatureExtractor? = nil) -> [String: Float] {
        let extractor = extractor ?? self.extractor
        let values = extractor.features(of: image)
        XCTAssertEqual(values.count, extractor.featureNames.count)
        XCTAssertTrue(values.allSatisfy(\.isFinite), "non-finite feature in \(values)")
        return Dictionary(uniqueKeysWithValues: zip(extractor.featureNames, values))
    }

    func testNamesAreUniqueAndInTheDocumentedOrder() {
        let names = extractor.featureNames
        XCTAssertEqual(names.count, 65)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names[0], "r_hist_0")
        XCTAssertEqual(names[16], "g_hist_0")
        XCTAssertEqual(names[47], "b_hist_15")
        XCTAssertEqual(Array(names[48...50]), ["gray_variance", "gray_skewness", "gray_excess_kurtosis"])
        XCTAssertEqual(names.last, "purple_region_mean_circularity")
    }

    func testUniformImageHasOneHotHistogramsAndNoSpread() throws {
        let features = named(try image { _, _ in (200, 100, 40) })
        for bin in 0..<16 {
            XCTAssertEqual(features["r_hist_\(bin)"], bin == 12 ? 1 : 0)  // 200 / 16 = 12
            XCTAssertEqual(features["g_hist_\(bin)"], bin == 6 ? 1 : 0)
            XCTAssertEqual(features["b_hist_\(bin)"], bin == 2 ? 1 : 0)
        }
        let luma: Float = (0.299 * 200 + 0.587 * 100 + 0.114 * 40) / 255
        XCTAssertEqual(features["gray_mean"]!, luma, accuracy: 1e-5)
        XCTAssertEqual(features["gray_max"]!, luma, accuracy: 1e-6)
        XCTAssertEqual(features["gray_min"]!, luma, accuracy: 1e-6)
        for name in ["gray_variance", "gray_skewness", "gray_excess_kurtosis", "gray_std", "sobel_mean", "sobel_std",
                     "dark_region_count", "dark_region_mean_area", "dark_region_mean_perimeter",
                     "dark_region_mean_circularity", "purple_fraction", "purple_region_count"] {
            XCTAssertEqual(features[name], 0, name)
        }
    }

    func testHalfBlackHalfWhite() throws {
        let features = named(try image { x, _ in x < 32 ? (0, 0, 0) : (255, 255, 255) })
        XCTAssertEqual(features["r_hist_0"], 0.5)
        XCTAssertEqual(features["b_hist_15"], 0.5)
        XCTAssertEqual(features["gray_mean"]!, 0.5, accuracy: 1e-5)
        XCTAssertEqual(features["gray_variance"]!, 0.25, accuracy: 1e-5)
        XCTAssertEqual(features["gray_std"]!, 0.5, accuracy: 1e-5)
        XCTAssertEqual(features["gray_skewness"]!, 0, accuracy: 1e-4)
        XCTAssertEqual(features["gray_excess_kurtosis"]!, -2, accuracy: 1e-4)  // two-point distribution: 1 - 3
        XCTAssertEqual(features["gray_max"]!, 1, accuracy: 1e-5)
        XCTAssertEqual(features["gray_min"], 0)
        // Sobel over the 62 x 62 interior: 4 in the two columns beside the edge, 0 elsewhere.
        let edgeShare: Float = 2.0 / 62
        XCTAssertEqual(features["sobel_mean"]!, 4 * edgeShare, accuracy: 1e-5)
        XCTAssertEqual(features["sobel_std"]!, (16 * edgeShare - 16 * edgeShare * edgeShare).squareRoot(), accuracy: 1e-5)
        // Otsu puts the black half in the dark class: one 32 x 64 rectangle, contour 2 * (31 + 63).
        XCTAssertEqual(features["dark_region_count"], 1)
        XCTAssertEqual(features["dark_region_mean_area"], 2048)
        XCTAssertEqual(features["dark_region_mean_perimeter"]!, 188, accuracy: 1e-4)
        XCTAssertEqual(features["dark_region_mean_circularity"]!, 4 * .pi * 31 * 63 / (188 * 188), accuracy: 1e-5)
    }

    func testQuarterBlackGivesKnownSkewnessAndKurtosis() throws {
        // Values 0 (share 1/4) and 1 (share q = 3/4): skewness (1 - 2q) / √(q(1 - q)),
        // excess kurtosis (1 - 6q(1 - q)) / (q(1 - q)) - with q(1 - q) = 3/16.
        let features = named(try image { x, _ in x < 16 ? (0, 0, 0) : (255, 255, 255) })
        XCTAssertEqual(features["gray_mean"]!, 0.75, accuracy: 1e-5)
        XCTAssertEqual(features["gray_variance"]!, 3.0 / 16, accuracy: 1e-5)
        XCTAssertEqual(features["gray_skewness"]!, -0.5 / (3.0 / 16).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(features["gray_excess_kurtosis"]!, (1 - 6 * 3.0 / 16) / (3.0 / 16), accuracy: 1e-4)
    }

    func testSingleDarkDiskIsOneRoundRegion() throws {
        let radius = 12
        let features = named(try image { x, y in
            let dx = x - 32, dy = y - 32
            return dx * dx + dy * dy <= radius * radius ? (60, 30, 90) : (240, 235, 240)
        })
        XCTAssertEqual(features["dark_region_count"], 1)
        XCTAssertEqual(features["dark_region_mean_area"]!, .pi * 144, accuracy: 0.03 * .pi * 144)
        XCTAssertEqual(features["dark_region_mean_circularity"]!, 0.9, accuracy: 0.06)
    }

    func testPurpleSquareOnWhite() throws {
        let features = named(try image { x, y in
            (8..<24).contains(x) && (40..<56).contains(y) ? (128, 0, 128) : (255, 255, 255)
        })
        XCTAssertEqual(features["purple_fraction"]!, 256.0 / 4096, accuracy: 1e-7)
        XCTAssertEqual(features["purple_region_count"], 1)
        XCTAssertEqual(features["purple_region_mean_area"], 256)
        XCTAssertEqual(features["purple_region_mean_circularity"]!, .pi / 4, accuracy: 1e-5)
        // The purple square is also the only dark region.
        XCTAssertEqual(features["dark_region_count"], 1)
        XCTAssertEqual(features["dark_region_mean_perimeter"]!, 60, accuracy: 1e-4)
    }

    func testRegionsBelowTheMinimumAreaAreNotCounted() throws {
        // Two purple squares: 2 x 2 (4 pixels, below 5) and 4 x 4 (16 pixels).
        let features = named(try image { x, y in
            let small = (2..<4).contains(x) && (2..<4).contains(y)
            let large = (20..<24).contains(x) && (20..<24).contains(y)
            return small || large ? (128, 0, 128) : (255, 255, 255)
        })
        XCTAssertEqual(features["purple_fraction"]!, 20.0 / 4096, accuracy: 1e-7)
        XCTAssertEqual(features["purple_region_count"], 1)
        XCTAssertEqual(features["purple_region_mean_area"], 16)
    }

    func testImagesOfAnotherSizeAreResizedFirst() throws {
        // A 128 x 128 half-black image measured at 64 x 64 gives the 64 x 64 region area.
        let large = try image(width: 128, height: 128) { x, _ in x < 64 ? (0, 0, 0) : (255, 255, 255) }
        XCTAssertEqual(named(large)["dark_region_mean_area"], 2048)
    }

    func testNoNaNOnDegenerateImages() throws {
        var state: UInt32 = 7
        let noise = try image { _, _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return (UInt8(state >> 24), UInt8((state >> 16) & 0xFF), UInt8((state >> 8) & 0xFF))
        }
        for candidate in [noise, try image { _, _ in (0, 0, 0) }, try image { _, _ in (255, 255, 255) },
                          try RGBImage(width: 1, height: 1, pixels: [9, 9, 9])] {
            _ = named(candidate)
        }
        let tiny = HandcraftedFeatureExtractor(purpleRange: purple, inputSize: 0)
        XCTAssertTrue(tiny.features(of: noise).allSatisfy { $0 == 0 })
    }

    func testBatchKeepsInputOrderAndReportsBadFiles() throws {
        let directory = try TemporaryFolder(self).url
        var urls: [URL] = []
        var expected: [[Float]?] = []
        for index in 0..<9 {
            let url = directory.appendingPathComponent("image-\(index).png")
            if index == 4 {
                try Data("not an image".utf8).write(to: url)
                expected.append(nil)
            } else {
                let shade = UInt8(index * 25)
                let picture = try image { x, _ in x < 8 * index ? (shade, 0, shade) : (255, 255, 255) }
                try ImageEncoder.png(picture).write(to: url)
                expected.append(extractor.features(of: picture))
            }
            urls.append(url)
        }
        let results = extractor.features(ofFilesAt: urls)
        XCTAssertEqual(results.count, urls.count)
        for (index, result) in results.enumerated() {
            switch (result, expected[index]) {
            case (.success(let features), .some(let wanted)):
                XCTAssertEqual(features, wanted, "image \(index)")
            case (.failure(let error), .none):
                XCTAssertTrue("\(error)".contains(urls[index].path), "\(error)")
            default:
                XCTFail("image \(index): unexpected \(result)")
            }
        }
    }
}
