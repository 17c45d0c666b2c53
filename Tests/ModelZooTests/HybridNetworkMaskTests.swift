import ModelZoo
import Tensors
import XCTest

/// The purple mask against hand-computed HSV values, after the normalization round trip.
final class HybridNetworkMaskTests: XCTestCase {
    /// RGB pixels with the mask value worked out by hand (thresholds H 0.7...0.8, S ≥ 0.5, V ≥ 0.4;
    /// when blue is the maximum, H = ((r − g) / chroma + 4) / 6).
    static let cases: [(rgb: [Float], expected: Float, why: String)] = [
        ([128, 0, 255], 1, "H (128/255 + 4)/6 = 0.7503, S 1, V 1"),
        ([52, 0, 255], 1, "H (52/255 + 4)/6 = 0.70065, just above 0.7"),
        ([50, 0, 255], 0, "H (50/255 + 4)/6 = 0.69935, just below 0.7"),
        ([203, 0, 255], 1, "H (203/255 + 4)/6 = 0.79935, just below 0.8"),
        ([205, 0, 255], 0, "H (205/255 + 4)/6 = 0.80065, just above 0.8"),
        ([150, 99, 200], 1, "S 101/200 = 0.505, H (51/101 + 4)/6 = 0.7508"),
        ([150, 101, 200], 0, "S 99/200 = 0.495, H (49/99 + 4)/6 = 0.7492"),
        ([52, 0, 103], 1, "V 103/255 = 0.404, H (52/103 + 4)/6 = 0.7508"),
        ([51, 0, 102], 1, "V 102/255 = 0.4 exactly, H 0.75"),
        ([50, 0, 101], 0, "V 101/255 = 0.396, H (50/101 + 4)/6 = 0.7492"),
        ([255, 0, 255], 0, "magenta: H 5/6 = 0.833"),
        ([128, 128, 128], 0, "grey: S 0"),
        ([255, 255, 255], 0, "white: S 0"),
        ([0, 0, 0], 0, "black: V 0"),
        ([0, 200, 0], 0, "green: H 1/3"),
        ([230, 200, 215], 0, "pink background: S 0.13"),
    ]

    /// The cases as one 4 x 4 image, normalized.
    private func caseImage(_ normalization: [PurpleMask.ChannelAffine]) throws -> Tensor {
        try HybridFixtures.normalized(Self.cases.flatMap(\.rgb), images: 1, side: 4, normalization: normalization)
    }

    func testMaskEqualsHandComputedValuesUnderEitherNormalization() throws {
        for normalization in [HybridFixtures.imageNet, HybridFixtures.symmetric] {
            let mask = PurpleMask(normalization: normalization).mask(of: try caseImage(normalization))
            XCTAssertEqual(mask.shape, [1, 4, 4, 1])
            for (index, (value, testCase)) in zip(mask.scalars, Self.cases).enumerated() {
                XCTAssertEqual(value, testCase.expected, "pixel \(index) \(testCase.rgb): \(testCase.why)")
            }
        }
    }

    func testThresholdsAreConfigurable() throws {
        // With H 0.6...0.7 and S ≥ 0.9: only the 0.69935 hue (50, 0, 255) and nothing of the study's range passes.
        let mask = PurpleMask(normalization: HybridFixtures.imageNet, hue: 0.6...0.7, minimumSaturation: 0.9,
                              minimumValue: 0.4).mask(of: try caseImage(HybridFixtures.imageNet))
        XCTAssertEqual(mask.scalars, Self.cases.map { $0.rgb == [50, 0, 255] ? 1 : 0 })
    }

    /// Both ways of computing them: one pass where no gradient is recorded (inference), the
    /// differentiable operations where one is.
    func testMaskedPixelsAreMaskedRGBOnUnitScale() throws {
        let image = try caseImage(HybridFixtures.imageNet)
        for (x, path) in [(image, "one pass"), (image.requiringGradient(), "recorded")] {
            let pixels = PurpleMask(normalization: HybridFixtures.imageNet).maskedPixels(x)
            XCTAssertEqual(pixels.shape, [1, 4, 4, 3])
            XCTAssertEqual(pixels.requiresGradient, path == "recorded")
            for (index, testCase) in Self.cases.enumerated() {
                for channel in 0..<3 {
                    XCTAssertEqual(pixels.scalars[3 * index + channel], testCase.expected * testCase.rgb[channel] / 255,
                                   accuracy: 1e-5, "\(path): pixel \(index) channel \(channel)")
                }
            }
        }
    }

    func testMaskHasNoGradientButPixelsDo() throws {
        let x = try caseImage(HybridFixtures.imageNet).requiringGradient()
        let mask = PurpleMask(normalization: HybridFixtures.imageNet)
        XCTAssertFalse(mask.mask(of: x).requiresGradient)
        mask.maskedPixels(x).sum().backward()
        // d(mask · (x − offset) / (255 · scale)) / dx = mask / (255 · scale): 1/(255 · scale) inside, 0 outside.
        let gradient = try XCTUnwrap(x.gradient).scalars
        for (index, testCase) in Self.cases.enumerated() {
            for channel in 0..<3 {
                let expected = testCase.expected / (255 * HybridFixtures.imageNet[channel].scale)
                XCTAssertEqual(gradient[3 * index + channel], expected, accuracy: 1e-6, "pixel \(index) channel \(channel)")
            }
        }
    }

    func testInvalidConfigurationsAreNamed() {
        let cases: [(PurpleMask, String)] = [
            (PurpleMask(normalization: Array(HybridFixtures.imageNet.prefix(2))), "got 2"),
            (PurpleMask(normalization: [.init(scale: 0, offset: 0)] + HybridFixtures.imageNet.dropLast()), "channel 0"),
            (PurpleMask(normalization: HybridFixtures.imageNet, hue: 0.9...1.2), "0.9...1.2"),
            (PurpleMask(normalization: HybridFixtures.imageNet, minimumSaturation: 1.5), "1.5"),
        ]
        for (mask, fragment) in cases {
            XCTAssertThrowsError(try mask.validate()) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) should name \(fragment)")
            }
        }
    }
}
