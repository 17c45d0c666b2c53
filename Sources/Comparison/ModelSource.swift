import Foundation
import Datasets
import LeukemiaKit

/// One model of a comparison: a run directory, or a cross-validation folder's fold runs (scored
/// on their own test folds and pooled: every image once, by the fold model that did not see it).
struct ModelSource: Sendable {
    /// The model's name on the page: its folder's name (with its parent's when two are alike).
    var name: String
    /// The run or cross-validation folder.
    var url: URL
    /// The runs scored: the run itself, or `fold-1` ... `fold-K`.
    var runs: [URL]
    var isCrossValidation: Bool

    /// The models of `inputs`: a run is itself, a cross-validation folder one model of its folds,
    /// and a study folder (`study.json`, `"runs"`: folder names relative to it) each of its runs.
    /// - Throws: `ComparisonError` for a path that is none of these, an unreadable study, or a
    ///   run given twice.
    static func expand(_ inputs: [URL]) throws -> [ModelSource] {
        var sources: [ModelSource] = []
        for input in inputs {
            let manager = FileManager.default
            let study = input.appendingPathComponent("study.json")
            if manager.fileExists(atPath: study.path), !manager.fileExists(atPath: input.appendingPathComponent("config.json").path) {
                for run in try studyRuns(study) {
                    let url = run.hasPrefix("/") ? URL(fileURLWithPath: run) : input.appendingPathComponent(run)
                    sources.append(try source(url))
                }
            } else {
                sources.append(try source(input))
            }
        }
        guard !sources.isEmpty else { throw ComparisonError.nothingToCompare }
        var seen = Set<String>()
        for source in sources where !seen.insert(source.url.standardizedFileURL.path).inserted {
            throw ComparisonError.duplicate(source.url.path)
        }
        return uniquelyNamed(sources)
    }

    /// The `runs` of a study file (other fields are ignored).
    private static func studyRuns(_ file: URL) throws -> [String] {
        struct StudyFile: Decodable { var runs: [String] }
        do {
            return try JSONDecoder().decode(StudyFile.self, from: Data(contentsOf: file)).runs
        } catch {
            throw ComparisonError.unreadableStudy(file.path, reason: "\(error)")
        }
    }

    /// A run or a cross-validation folder at `url`.
    private static func source(_ url: URL) throws -> ModelSource {
        let manager = FileManager.default
        let name = url.standardizedFileURL.lastPathComponent
        if manager.fileExists(atPath: url.appendingPathComponent("config.json").path) {
            return ModelSource(name: name, url: url, runs: [url], isCrossValidation: false)
        }
        let record = url.appendingPathComponent("cross-validation.json")
        if manager.fileExists(atPath: record.path) {
            struct Record: Decodable {
                var foldCount: Int
                enum CodingKeys: String, CodingKey { case foldCount = "fold_count" }
            }
            guard let folds = try? JSONDecoder().decode(Record.self, from: Data(contentsOf: record)).foldCount, folds >= 1 else {
                throw ComparisonError.notARun(url.path)
            }
            return ModelSource(name: name, url: url, runs: (1...folds).map { url.appendingPathComponent("fold-\($0)") },
                               isCrossValidation: true)
        }
        throw ComparisonError.notARun(url.path)
    }

    /// `sources` with names made unique: a repeated folder name gets its parent's name in front,
    /// then a number.
    private static func uniquelyNamed(_ sources: [ModelSource]) -> [ModelSource] {
        var result = sources
        let counts = Dictionary(grouping: sources.map(\.name), by: { $0 }).mapValues(\.count)
        for index in result.indices where counts[result[index].name, default: 0] > 1 {
            let parent = result[index].url.standardizedFileURL.deletingLastPathComponent().lastPathComponent
            result[index].name = "\(parent)/\(result[index].name)"
        }
        var used = Set<String>()
        for index in result.indices {
            var name = result[index].name, number = 1
            while !used.insert(name).inserted {
                number += 1
                name = "\(result[index].name) (\(number))"
            }
            result[index].name = name
        }
        return result
    }

    /// The test images of every run of the model (path and content hash), from their `split.json`.
    func testImages() throws -> [String: String] {
        var images: [String: String] = [:]
        for run in runs {
            let manifest = try SplitManifest.load(from: RunDirectory(run).splitManifest)
            for entry in manifest.entries where entry.part == .test { images[entry.path] = entry.contentHash }
        }
        return images
    }
}
