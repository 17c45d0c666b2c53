import Foundation
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import Datasets

final class ImageFolderTests: XCTestCase {
    /// SHA-256 of "abc" (NIST vector), so the expected hash does not come from the code under test.
    private let abcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    func testFileNumberIsTheLastRunOfDigits() {
        XCTAssertEqual(DatasetImage.fileNumber(in: "WBC-Malignant-Pro-117.jpg"), 117)
        XCTAssertEqual(DatasetImage.fileNumber(in: "WBC-Benign-026.jpg"), 26)
        XCTAssertEqual(DatasetImage.fileNumber(in: "a12b34.png"), 34)
        XCTAssertEqual(DatasetImage.fileNumber(in: "scan2.v3.jpeg"), 3)
        XCTAssertEqual(DatasetImage.fileNumber(in: "x.mp4"), nil)
        XCTAssertNil(DatasetImage.fileNumber(in: "cell.jpg"))
        XCTAssertNil(DatasetImage.fileNumber(in: "99999999999999999999999.jpg"))
    }

    func testScanListsImagesCaseInsensitivelyAndReportsIgnoredFiles() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("README.md", "about")
        try folder.write(".hidden", "x")
        try folder.write("benign/WBC-Benign-002.JPG", "abc")
        try folder.write("benign/WBC-Benign-001.jpg", "b1")
        try folder.write("benign/notes.txt", "text")
        try folder.write("benign/.DS_Store", "x")
        try folder.write("EARLY/cell.jpeg", "e")
        try folder.write("Pre/WBC-Pre-7.png", "p")
        try folder.write("Pro/WBC-Malignant-Pro-117.jpg", "same")
        try folder.write("Pro/WBC-Malignant-Pro-118.jpg", "same")
        try folder.makeFolder("Pro/sub.jpg")

        let scanned = try ImageFolder.scan(folder.url)
        XCTAssertEqual(scanned.images.map(\.relativePath), [
            "benign/WBC-Benign-001.jpg", "benign/WBC-Benign-002.JPG", "EARLY/cell.jpeg", "Pre/WBC-Pre-7.png",
            "Pro/WBC-Malignant-Pro-117.jpg", "Pro/WBC-Malignant-Pro-118.jpg",
        ])
        XCTAssertEqual(scanned.images.map(\.label), [0, 0, 1, 2, 3, 3])
        XCTAssertEqual(scanned.images.map(\.fileNumber), [1, 2, nil, 7, 117, 118])
        XCTAssertEqual(scanned.images[1].contentHash, abcHash)
        XCTAssertEqual(Set(scanned.ignoredFiles), [".hidden", "README.md", "benign/.DS_Store", "benign/notes.txt"])
        // The four ALL folders, in any case, get the built-in ALL description: maturity order, the study's costs.
        XCTAssertEqual(scanned.description, .acuteLymphoblasticLeukemia)
        XCTAssertEqual(scanned.classes.names, ["Benign", "Early", "Pre", "Pro"])
        XCTAssertEqual(scanned.count(of: 0), 2)
        XCTAssertEqual(scanned.duplicateGroups.map { $0.map(\.relativePath) },
                       [["Pro/WBC-Malignant-Pro-117.jpg", "Pro/WBC-Malignant-Pro-118.jpg"]])
        XCTAssertTrue(scanned.labelConflicts.isEmpty)
    }

    func testIdenticalContentInTwoClassesIsALabelConflict() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("Benign/a-1.jpg", "shared")
        try folder.write("Benign/a-2.jpg", "b")
        try folder.write("Pro/c-1.jpg", "shared")
        let scanned = try ImageFolder.scan(folder.url)
        XCTAssertEqual(scanned.classes.names, ["Benign", "Pro"])
        XCTAssertFalse(scanned.classes.isOrdered)
        XCTAssertEqual(scanned.labelConflicts.map { $0.map(\.relativePath) }, [["Benign/a-1.jpg", "Pro/c-1.jpg"]])
    }

    func testMissingFolder() throws {
        let missing = try TemporaryFolder(self).url.appendingPathComponent("nowhere")
        assertThrows(ImageFolderError.missingFolder(path: missing.path), mentioning: [missing.path]) {
            _ = try ImageFolder.scan(missing)
        }
    }

    func testPathThatIsAFile() throws {
        let file = try TemporaryFolder(self).write("data.jpg", "x")
        assertThrows(ImageFolderError.notADirectory(path: file.path), mentioning: [file.path]) {
            _ = try ImageFolder.scan(file)
        }
    }

    func testNoClassFolders() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("x.jpg", "x")
        try folder.write("Only/x.jpg", "x")
        assertThrows(ImageFolderError.noClassFolders(path: folder.url.path, found: ["Only"]), mentioning: [folder.url.path, "Only"]) {
            _ = try ImageFolder.scan(folder.url)
        }
    }

    func testAFolderOfAnotherClassIsRefusedForARun() throws {
        let folder = try TemporaryFolder(self)
        for name in ["Bengin", "Early", "Pre", "Pro"] { try folder.write("\(name)/x-1.jpg", name) }
        assertThrows(ClassSetError.classMismatch(path: folder.url.path, missing: [], extra: ["Bengin"]),
                     mentioning: [folder.url.path, "extra Bengin"]) {
            _ = try ImageFolder.scan(folder.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: true)
        }
        assertThrows(ClassSetError.classMismatch(path: folder.url.path, missing: ["Benign"], extra: ["Bengin"]),
                     mentioning: ["missing Benign", "extra Bengin"]) {
            _ = try ImageFolder.scan(folder.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: false)
        }
        // On its own, the folder is a dataset of four other classes, sorted by name.
        XCTAssertEqual(try ImageFolder.scan(folder.url).classes.names, ["Bengin", "Early", "Pre", "Pro"])
    }

    func testTwoFoldersForOneClass() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("Pro/x-1.jpg", "a")
        try folder.write("pro/x-2.jpg", "b")
        assertThrows(ImageFolderError.duplicateClassFolder(path: folder.url.path, names: ["Pro", "pro"]),
                     mentioning: ["Pro, pro"]) {
            _ = try ImageFolder.scan(folder.url)
        }
    }

    func testEmptyClassFolder() throws {
        let folder = try TemporaryFolder(self)
        for name in ["Benign", "Early", "Pre"] { try folder.write("\(name)/x-1.jpg", name) }
        try folder.write("Pro/readme.txt", "no images")
        let path = folder.url.appendingPathComponent("Pro").path
        assertThrows(ImageFolderError.emptyClassFolder(path: path), mentioning: [path]) {
            _ = try ImageFolder.scan(folder.url)
        }
    }

    func testMissingClassesOnlyWhenRequired() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("Early/x-1.jpg", "e")
        try folder.write("Pro/x-1.jpg", "p")
        assertThrows(ClassSetError.classMismatch(path: folder.url.path, missing: ["Benign", "Pre"], extra: []),
                     mentioning: ["missing Benign, Pre"]) {
            _ = try ImageFolder.scan(folder.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: false)
        }
        let subset = try ImageFolder.scan(folder.url, conformingTo: .acuteLymphoblasticLeukemia, allowingMissingClasses: true)
        XCTAssertEqual(subset.presentClasses, [1, 3], "labels index the run's four classes")
    }

    func testADanglingSymbolicLinkIsListedAndLeftOut() throws {
        let folder = try TemporaryFolder(self)
        try folder.write("Pro/x-1.jpg", "p")
        try folder.write("Benign/y-1.jpg", "b")
        // A dangling symbolic link looks like an image but cannot be opened (even by root).
        let link = folder.url.appendingPathComponent("Pro/x-2.jpg")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/nonexistent/target.jpg")
        let scanned = try ImageFolder.scan(folder.url)
        XCTAssertEqual(scanned.images.map(\.relativePath), ["Benign/y-1.jpg", "Pro/x-1.jpg"])
        XCTAssertEqual(Array(scanned.unreadableFiles.keys), ["Pro/x-2.jpg"])
        XCTAssertTrue(scanned.unreadableFiles["Pro/x-2.jpg"]?.contains("/nonexistent/target.jpg") ?? false,
                      "\(scanned.unreadableFiles)")
        let inspection = try DatasetInspection.inspect(folder.url)
        XCTAssertEqual(inspection.unreadable.map(\.path), ["Benign/y-1.jpg", "Pro/x-1.jpg", "Pro/x-2.jpg"],
                       "y-1 and x-1 do not decode, x-2 does not open")
    }

    func testImagesInFoldersBelowAClassFolderBelongToThatClass() throws {
        let folder = try TemporaryFolder(self)
        for name in ["Benign", "Early", "Pre"] { try folder.write("\(name)/a-1.jpg", name) }
        try folder.write("Pro/patient-2/slide-b/c-3.jpg", "deep")
        try folder.write("Pro/patient-1/b-2.jpg", "nested")
        try folder.write("Pro/patient-1/notes.txt", "not an image")
        try folder.write("Pro/a-1.jpg", "top")
        let scanned = try ImageFolder.scan(folder.url)
        XCTAssertEqual(scanned.images.filter { $0.label == 3 }.map(\.relativePath),
                       ["Pro/a-1.jpg", "Pro/patient-1/b-2.jpg", "Pro/patient-2/slide-b/c-3.jpg"])
        XCTAssertEqual(scanned.images.first { $0.relativePath.hasSuffix("c-3.jpg") }?.fileNumber, 3)
        XCTAssertEqual(scanned.ignoredFiles, ["Pro/patient-1/notes.txt"])
        XCTAssertEqual(scanned.url(of: scanned.images.last!).path, folder.url.appendingPathComponent("Pro/patient-2/slide-b/c-3.jpg").path)
        XCTAssertTrue(try DatasetInspection.inspect(folder.url).summary.contains("2 of the images are in 2 folders below the class folders"))

        // A class folder whose images are all in subfolders is not empty; one with none at all is.
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("Pro/a-1.jpg"))
        XCTAssertEqual(try ImageFolder.scan(folder.url).count(of: 3), 2)
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("Pro/patient-1/b-2.jpg"))
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("Pro/patient-2"))
        XCTAssertThrowsError(try ImageFolder.scan(folder.url)) { error in
            XCTAssertEqual(error as? ImageFolderError, .emptyClassFolder(path: folder.url.appendingPathComponent("Pro").path))
        }
    }
}
