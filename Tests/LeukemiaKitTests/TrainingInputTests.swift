import ModelZoo
import Foundation
import Imaging
import Randomness
import TestSupport
import Tensors
import XCTest
@testable import LeukemiaKit
@testable import Datasets

/// Augmentation, normalization and batching of CNN inputs.
final class TrainingInputTests: XCTestCase {
    private func smear(_ classIndex: Int, seed: UInt64 = 1, size: Int = 32) -> RGBImage {
        var generator = SeededGenerator(seed: seed)
        return SyntheticSmears.image(classIndex: classIndex, size: size, generator: &generator)
    }

    private let noAugmentation = AugmentationPolicy(rotationDegrees: 0, widthShift: 0, heightShift: 0,
                                                    shearDegrees: 0, zoom: 0, horizontalFlip: false)

    func testANullPolicyLeavesTheImageUnchanged() throws {
        var generator = SeededGenerator(seed: 3)
        XCTAssertEqual(try noAugmentation.augment(smear(2), generator: &generator), smear(2))
    }

    func testFlipOnlyGivesTheImageOrItsMirrorAndBothOccur() throws {
        var flipOnly = noAugmentation
        flipOnly.horizontalFlip = true
        let image = smear(1)
        var mirrored = image
        for y in 0..<image.height {
            for x in 0..<image.width {
                for c in 0..<3 { mirrored.pixels[(y * image.width + x) * 3 + c] = image.pixels[(y * image.width + image.width - 1 - x) * 3 + c] }
            }
        }
        var generator = SeededGenerator(seed: 5)
        var seen: Set<Bool> = []
        for _ in 0..<20 {
            let result = try flipOnly.augment(image, generator: &generator)
            XCTAssertTrue(result == image || result == mirrored)
            seen.insert(result == image)
        }
        XCTAssertEqual(seen, [true, false])
    }

    func testRandomOrientationGivesEachOfTheEightOrientationsAboutEqually() throws {
        var turning = noAugmentation
        turning.randomOrientation = true
        let image = smear(3, size: 12)
        let orientations = SquareSymmetry.allCases.map { image.transformed(by: $0) }
        XCTAssertEqual(Set(orientations.map(\.pixels)).count, 8, "the synthetic smear looks different in each orientation")
        var generator = SeededGenerator(seed: 9)
        var counts = [Int](repeating: 0, count: 8)
        for _ in 0..<800 {
            let result = try turning.augment(image, generator: &generator)
            let index = try XCTUnwrap(orientations.firstIndex(of: result), "not one of the eight orientations")
            counts[index] += 1
        }
        // 100 expected each; a binomial(800, 1/8) lies in 60...140 except with probability < 1e-4.
        for (symmetry, count) in zip(SquareSymmetry.allCases, counts) { XCTAssertTrue((60...140).contains(count), "\(symmetry): \(count)") }

        // A non-square image keeps its sides: only the four orientations that do not swap them.
        let wide = try RGBImage(width: 6, height: 4, pixels: (0..<72).map { UInt8($0) })
        var seen: Set<[UInt8]> = []
        for _ in 0..<100 {
            let result = try turning.augment(wide, generator: &generator)
            XCTAssertEqual([result.width, result.height], [6, 4])
            seen.insert(result.pixels)
        }
        XCTAssertEqual(seen, Set(SquareSymmetry.allCases.filter { !$0.swapsSides }.map { wide.transformed(by: $0).pixels }))
    }

    func testAPolicyWithoutOrientationsDrawsOnlyItsMap() throws {
        // Runs trained before --orientations existed must augment as they did: the first draws make the map.
        var first = SeededGenerator(seed: 12), second = SeededGenerator(seed: 12)
        let image = smear(0)
        XCTAssertEqual(try AugmentationPolicy.study.augment(image, generator: &first),
                       try image.warped(by: AugmentationPolicy.study.randomMap(width: 32, height: 32, generator: &second), border: .nearest))
    }

    func testStudyAugmentationKeepsSizeAndColourBoundsAndIsSeeded() throws {
        // A two-colour image: any bilinear, edge-repeating warp stays within the two colours' range.
        var pixels = [UInt8](repeating: 0, count: 40 * 40 * 3)
        for index in 0..<(40 * 40) {
            let dark = (index % 40) < 20
            pixels[index * 3] = dark ? 100 : 200
            pixels[index * 3 + 1] = dark ? 50 : 150
            pixels[index * 3 + 2] = dark ? 120 : 220
        }
        let image = try RGBImage(width: 40, height: 40, pixels: pixels)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        for _ in 0..<10 {
            let augmented = try AugmentationPolicy.study.augment(image, generator: &a)
            XCTAssertEqual(augmented, try AugmentationPolicy.study.augment(image, generator: &b))
            XCTAssertEqual([augmented.width, augmented.height], [40, 40])
            for index in 0..<(40 * 40) {
                XCTAssertTrue((100...200).contains(augmented.pixels[index * 3]))
                XCTAssertTrue((50...150).contains(augmented.pixels[index * 3 + 1]))
                XCTAssertTrue((120...220).contains(augmented.pixels[index * 3 + 2]))
            }
        }
    }

    func testReflectFillWarpsWithTheSameRandomMapAndMirrorsOutside() throws {
        // Columns 0..<20 dark, 20..<40 light, moved right by s >= 22 pixels: output column 0 shows
        // input column -s, which the nearest fill reads as column 0 (dark) and reflection as
        // column s - 1 >= 21 (light).
        let image = try RGBImage(width: 40, height: 40, pixels: (0..<(40 * 40)).flatMap { index in
            [UInt8]((index % 40) < 20 ? [0, 0, 0] : [255, 255, 255])
        })
        let shift = AugmentationPolicy(rotationDegrees: 0, widthShift: 0.9, heightShift: 0, shearDegrees: 0, zoom: 0,
                                       horizontalFlip: false)
        var reflecting = shift
        reflecting.fill = .reflect
        var generator = SeededGenerator(seed: 4), drawn = generator
        while shift.randomMap(width: 40, height: 40, generator: &drawn).apply(x: 0, y: 0).x < 22 { generator = drawn }
        var other = generator
        let nearest = try shift.augment(image, generator: &generator)
        let reflected = try reflecting.augment(image, generator: &other)
        XCTAssertEqual(nearest.pixel(x: 0, y: 20).red, 0, "the dark edge column repeated")
        XCTAssertEqual(reflected.pixel(x: 0, y: 20).red, 255, "a mirrored light column")
        XCTAssertTrue(nearest.pixel(x: 39, y: 20) == reflected.pixel(x: 39, y: 20), "inside the original both agree")
    }

    func testAPolicyRecordedBeforeFillAndOrientationsExistedReadsAsNearestWithout() throws {
        let old = #"{"rotationDegrees":40,"widthShift":0.4,"heightShift":0.4,"shearDegrees":0.4,"zoom":0.4,"horizontalFlip":true}"#
        XCTAssertEqual(try JSONDecoder().decode(AugmentationPolicy.self, from: Data(old.utf8)), .study)
        var reflecting = AugmentationPolicy.study
        reflecting.fill = .reflect
        XCTAssertEqual(try JSONDecoder().decode(AugmentationPolicy.self, from: JSONEncoder().encode(reflecting)), reflecting)
        reflecting.randomOrientation = true
        XCTAssertEqual(try JSONDecoder().decode(AugmentationPolicy.self, from: JSONEncoder().encode(reflecting)), reflecting)
    }

    func testNormalizationsMapPixelValuesAsDocumented() throws {
        let image = try RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 255, 255, 255])
        var values = [Float](repeating: .nan, count: 6)
        values.withUnsafeMutableBufferPointer { InputNormalization.symmetric.write(image, into: $0) }
        XCTAssertEqual(values, [-1, -1, -1, 1, 1, 1])
        values.withUnsafeMutableBufferPointer { InputNormalization.imageNet.write(image, into: $0) }
        XCTAssertEqual(values[0], -0.485 / 0.229, accuracy: 1e-5)
        XCTAssertEqual(values[5], (1 - 0.406) / 0.225, accuracy: 1e-5)
    }

    private func imageSet(count: Int) -> DecodedImageSet {
        let images = (0..<count).map { smear($0 % 4, seed: UInt64($0), size: 16) }
        return DecodedImageSet(images: images, labels: (0..<count).map { $0 % 4 },
                               paths: (0..<count).map { "image-\($0)" }, skipped: [:])
    }

    func testAnEpochVisitsEveryImageOnceWithItsLabel() throws {
        let set = imageSet(count: 10)
        let loader = ImageBatchLoader(images: set, settings: .init(batchSize: 4, normalization: .unit, augmentation: .study,
                                                                   shuffle: true, seed: 1))
        var visited: [Int] = []
        for result in loader.batches(epoch: 0) {
            let batch = try result.get()
            XCTAssertEqual(batch.inputs.shape, [batch.indices.count, 16, 16, 3])
            XCTAssertEqual(batch.labels, batch.indices.map { set.labels[$0] })
            XCTAssertTrue(batch.inputs.scalars.allSatisfy { (0...1).contains($0) })
            visited += batch.indices
        }
        XCTAssertEqual(visited.count, 10)
        XCTAssertEqual(Set(visited), Set(0..<10))
        XCTAssertNotEqual(loader.order(epoch: 0), loader.order(epoch: 1), "each epoch has its own order")
    }

    func testBatchesAreIdenticalForTheSameSeedAndEpoch() throws {
        let set = imageSet(count: 8)
        func firstBatch(seed: UInt64) throws -> [Float] {
            let loader = ImageBatchLoader(images: set, settings: .init(batchSize: 8, normalization: .unit,
                                                                       augmentation: .study, shuffle: true, seed: seed))
            return try XCTUnwrap(loader.batches(epoch: 3).next()).get().inputs.scalars
        }
        XCTAssertEqual(try firstBatch(seed: 4), try firstBatch(seed: 4))
        XCTAssertNotEqual(try firstBatch(seed: 4), try firstBatch(seed: 5))
    }

    func testDroppingAnEpochEarlyStopsItsWorker() throws {
        let loader = ImageBatchLoader(images: imageSet(count: 40), settings: .init(batchSize: 2, normalization: .unit))
        weak var abandoned: PrefetchingBatches?
        do {
            let batches = loader.batches(epoch: 0)
            abandoned = batches
            XCTAssertNotNil(batches.next())
        }
        XCTAssertNil(abandoned, "the sequence is freed although its worker had batches left")
        // A later epoch still runs to its end.
        XCTAssertEqual(Array(loader.batches(epoch: 1)).count, 20)
    }
}
