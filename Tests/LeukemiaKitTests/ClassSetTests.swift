import Foundation
import Imaging
import TestSupport
import XCTest
@testable import Datasets
@testable import Evaluation

/// Class sets as data: from subfolders, from `dataset.json`, and how a run's classes meet a folder's.
final class ClassSetTests: XCTestCase {
    private func folder(_ classes: [String: Int]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder(self)
        for (name, count) in classes {
            for number in 1...count { try folder.write("\(name)/\(name)-\(number).jpg", "\(name) \(number)") }
        }
        return folder
    }

    func testClassesAreTheSubfoldersSortedByName() throws {
        let cases: [[String]] = [["tumour", "normal"], ["b", "C", "a"],
                                 ["neutrophil", "basophil", "ig", "platelet", "eosinophil", "monocyte", "lymphocyte", "erythroblast"]]
        for names in cases {
            let data = try folder(Dictionary(uniqueKeysWithValues: names.map { ($0, 2) }))
            let scanned = try ImageFolder.scan(data.url)
            // Sorted by Unicode code points: upper case before lower case.
            XCTAssertEqual(scanned.classes.names, names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
            XCTAssertEqual(scanned.classes.count, names.count)
            XCTAssertFalse(scanned.classes.isOrdered)
            XCTAssertNil(scanned.description.cost)
            for image in scanned.images {
                XCTAssertEqual(scanned.classes.names[image.label], String(image.relativePath.split(separator: "/")[0]))
            }
        }
    }

    func testDatasetJSONGivesOrderDisplayNamesAndOrdering() throws {
        let data = try folder(["Myeloblast": 2, "Promyelocyte": 2, "Myelocyte": 3])
        try data.write("dataset.json", """
            {"name": "maturation", "ordered": true,
             "classes": ["Myeloblast", {"name": "Promyelocyte", "display_name": "Pro-myelocyte"}, "Myelocyte"]}
            """)
        let scanned = try ImageFolder.scan(data.url)
        XCTAssertEqual(scanned.classes.names, ["Myeloblast", "Promyelocyte", "Myelocyte"], "the file's order, not the alphabet's")
        XCTAssertEqual(scanned.classes.displayNames, ["Myeloblast", "Pro-myelocyte", "Myelocyte"])
        XCTAssertTrue(scanned.classes.isOrdered)
        XCTAssertEqual((0..<3).map(scanned.count(of:)), [2, 2, 3])
        XCTAssertFalse(scanned.ignoredFiles.contains("dataset.json"))
        // Ordered classes without costs: the distance between stages.
        XCTAssertEqual(try CostMatrix.defaultCost(for: scanned.description).values, [[0, 1, 2], [1, 0, 1], [2, 1, 0]])
    }

    func testADescriptionMergesFoldersIntoOneClassAsTheBinaryALLSetDoes() throws {
        let data = try folder(["Benign": 3, "Early": 2, "Pre": 2, "Pro": 1])
        let binary = try TemporaryFolder(self).write("binary.json", """
            {"classes": ["Benign", {"name": "Malignant", "folders": ["Early", "Pre", "Pro"]}],
             "positive_class": "Malignant", "cost": {"Malignant": {"Benign": 5}, "Benign": {"Malignant": 1}}}
            """)
        let description = try DatasetDescription.load(from: binary)
        let scanned = try ImageFolder.scan(data.url, description: description)
        XCTAssertEqual(scanned.classes.names, ["Benign", "Malignant"])
        XCTAssertEqual(scanned.classes.positiveClass, 1)
        XCTAssertEqual([scanned.count(of: 0), scanned.count(of: 1)], [3, 5])
        XCTAssertEqual(try CostMatrix.defaultCost(for: description).values, [[0, 1], [5, 0]])
        // A folder exported from such a run is named after the class, and still reads.
        let exported = try folder(["Benign": 1, "Malignant": 2])
        XCTAssertEqual(try ImageFolder.scan(exported.url, description: description).count(of: 1), 2)
    }

    func testTheFourALLFoldersGetTheStudysCostsAndOtherSetsZeroOne() throws {
        let all = try ImageFolder.scan(try folder(["Pro": 1, "pre": 1, "Early": 1, "BENIGN": 1]).url)
        XCTAssertEqual(all.classes.names, ["Benign", "Early", "Pre", "Pro"])
        XCTAssertEqual(try CostMatrix.defaultCost(for: all.description), .study)
        let cells = try ImageFolder.scan(try folder(["a": 1, "b": 1, "c": 1]).url)
        XCTAssertEqual(try CostMatrix.defaultCost(for: cells.description).values, [[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    }

    func testADescriptionFolderWithOtherClassesIsRefusedNamingThem() throws {
        let data = try folder(["Benign": 1, "Early": 1, "Pre": 1, "Pro": 1])
        try data.write("dataset.json", #"{"classes": ["Benign", "Early", "Pre", "Pro", "Blast"]}"#)
        assertThrows(ClassSetError.classMismatch(path: data.url.path, missing: ["Blast"], extra: []), mentioning: ["missing Blast"]) {
            _ = try ImageFolder.scan(data.url)
        }
        // A folder with its own description in another order is relabelled to the run's order.
        try data.write("dataset.json", #"{"classes": ["Pro", "Pre", "Early", "Benign"]}"#)
        let conformed = try ImageFolder.scan(data.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: false)
        for image in conformed.images {
            XCTAssertEqual(ClassSet.acuteLymphoblasticLeukemia.names[image.label], String(image.relativePath.split(separator: "/")[0]))
        }
        try data.write("dataset.json", #"{"classes": ["Benign", "Early", "Pre", "Pro", "Blast"]}"#)
        try data.write("Blast/x.jpg", "blast")
        assertThrows(ClassSetError.classMismatch(path: data.url.path, missing: [], extra: ["Blast"]), mentioning: ["extra Blast"]) {
            _ = try ImageFolder.scan(data.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: true)
        }
    }

    func testInvalidDescriptionsAreNamed() throws {
        let folder = try TemporaryFolder(self)
        let cases: [(String, String)] = [
            (#"{"classes": ["only"]}"#, "at least 2 classes"),
            (#"{"classes": ["a", "A"]}"#, "class A is listed twice"),
            (#"{"classes": ["a", {"name": "b", "folders": ["x", "a"]}]}"#, "folder a is listed twice"),
            (#"{"classes": ["a", "b", "c"], "positive_class": "a"}"#, "positive_class"),
            (#"{"classes": ["a", "b"], "positive_class": "z"}"#, "positive_class z"),
            (#"{"classes": ["a", "b"], "cost": [[0, 1]]}"#, "expected 2 rows of 2"),
            (#"{"classes": ["a", "b"], "cost": {"a": {"q": 1}}}"#, "unknown class q"),
            (#"{"classes": ["a", "b"], "groups": "missing.csv"}"#, "missing.csv"),
            (#"{"klasses": ["a", "b"]}"#, "classes"),
            ("not json", "invalid"),
        ]
        for (index, (text, fragment)) in cases.enumerated() {
            let file = try folder.write("d\(index).json", text)
            XCTAssertThrowsError(try DatasetDescription.load(from: file), text) { error in
                XCTAssertTrue("\(error)".contains(file.path) && "\(error)".contains(fragment), "\(text): \(error)")
            }
        }
    }

    func testAGroupsFileKeepsEachPatientInOnePart() throws {
        let data = try TemporaryFolder(self)
        var lines = ["path,group"]
        for name in ["neg", "pos"] {
            for number in 1...40 {
                try data.write("\(name)/\(name)-\(number).jpg", "\(name) \(number)")
                lines.append("\(name)/\(name)-\(number).jpg,patient-\(name)-\(number % 8)")
            }
        }
        try data.write("patients.csv", lines.joined(separator: "\n"))
        try data.write("dataset.json", #"{"classes": ["neg", "pos"], "groups": "patients.csv"}"#)
        let scanned = try ImageFolder.scan(data.url)
        XCTAssertEqual(scanned.description.groups.count, 80)
        for seed: UInt64 in 0..<5 {
            let split = try DatasetSplit.make(scanned, configuration: SplitConfiguration(seed: seed))
            var partOfPatient: [String: Set<DatasetPart>] = [:]
            for (image, part) in split.assignments { partOfPatient[scanned.description.groups[image.relativePath]!, default: []].insert(part) }
            XCTAssertEqual(partOfPatient.count, 16)
            XCTAssertTrue(partOfPatient.values.allSatisfy { $0.count == 1 }, "\(partOfPatient)")
        }
    }

    func testInspectCountsTheStoredPixelFormatsItConverts() throws {
        let data = try folder(["rgb": 1])
        let grey = PNGTestFile.make(width: 2, height: 2, colorType: .gray, samples: [0, 255, 128, 7])
        let rgba = PNGTestFile.make(width: 1, height: 2, colorType: .rgba, samples: [255, 0, 0, 255, 0, 0, 255, 0])
        let deep = PNGTestFile.make(width: 1, height: 1, colorType: .rgb, samples: [0xFF, 0xFF, 0, 0, 0x80, 0], bitDepth: 16)
        try data.makeFolder("png")
        try grey.write(to: data.url.appendingPathComponent("png/grey.png"))
        try rgba.write(to: data.url.appendingPathComponent("png/rgba.png"))
        try deep.write(to: data.url.appendingPathComponent("png/deep.png"))
        try ImageEncoder.jpeg(try RGBImage(width: 3, height: 2, pixels: [UInt8](repeating: 90, count: 18)), quality: 90)
            .write(to: data.url.appendingPathComponent("rgb/rgb-1.jpg"))
        let inspection = try DatasetInspection.inspect(data.url)
        XCTAssertEqual(inspection.unreadable.map(\.path), [])
        let summary = inspection.summary
        XCTAssertTrue(summary.contains("1 PNG grey 8-bit"), summary)
        XCTAssertTrue(summary.contains("1 PNG rgba 8-bit"), summary)
        XCTAssertTrue(summary.contains("1 PNG rgb 16-bit"), summary)
        XCTAssertTrue(summary.contains("1 JPEG rgb 8-bit"), summary)
        XCTAssertTrue(summary.contains("converted to 8-bit RGB when read: 1 greyscale, 1 with alpha (composited on white), 1 16-bit, 0 CMYK, 0 palette"), summary)
        XCTAssertTrue(summary.contains("sizes: 1 1x1, 1 1x2, 1 2x2, 1 3x2"), summary)
    }
}
