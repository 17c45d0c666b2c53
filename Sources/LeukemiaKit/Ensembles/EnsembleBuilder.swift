import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// What to make: an ensemble of finished runs, into a new run directory.
public struct EnsembleRequest: Sendable {
    /// The member run directories, in order (the first gives the out-of-distribution features).
    public var members: [URL]
    public var runDirectory: URL
    public var weighting: EnsembleWeighting
    /// The data folder, if it has moved (default: the first member's).
    public var dataDirectory: URL?

    public init(members: [URL], runDirectory: URL, weighting: EnsembleWeighting = .fit, dataDirectory: URL? = nil) {
        self.members = members
        self.runDirectory = runDirectory
        self.weighting = weighting
        self.dataDirectory = dataDirectory
    }
}

/// What making an ensemble gave.
public struct EnsembleOutcome: Sendable {
    public var specification: EnsembleSpecification
    /// The ensemble's scores on the shared test part (calibrated probabilities when it has a calibration).
    public var metrics: ClassificationMetrics
    /// The ensemble's own temperature scaling, fitted on the validation part; nil without one (refit members).
    public var calibration: RunCalibration?
}

/// `leukemia ensemble RUN... --out RUN`: averages finished runs' probabilities into a run of its
/// own, which `evaluate`, `predict` and the other commands open like any run (`EnsembleRun`).
///
/// Members must share the split (`split.json`: the same images, labels, parts and content
/// hashes), the classes (names and order) and the cost matrix. With `--weights fit` (default)
/// the weights minimize the log loss of the average on the shared validation part
/// (`EnsembleWeights`); refit members have no validation part and need `--weights equal`.
/// Nested ensembles are refused. The run directory holds `config.json` (model "ensemble", the
/// members with their config SHA-256, weights and temperatures), the shared `split.json`, its
/// own `calibration.json` (temperature fitted on the validation part's averaged probabilities),
/// the first member's out-of-distribution check, and `metrics.json`, `predictions.json` and
/// `report.md` of the test part, scored as `evaluate` scores.
public enum EnsembleBuilder {
    /// Checks the members, scores them on the validation and test parts, fits the weights and
    /// the ensemble's temperature, and writes the run; `log` receives one line per step.
    /// - Throws: `EnsembleError` naming a member that cannot join; `RunDirectoryError` for a
    ///   missing member or an occupied output folder; what scanning the data or the models throw.
    @discardableResult
    public static func make(_ request: EnsembleRequest, log: (String) -> Void) throws -> EnsembleOutcome {
        let start = Date()
        let members = try checkedMembers(request.members, weighting: request.weighting)
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let first = members[0].configuration
        let manifest = members[0].manifest
        let opened = try members.map { try TrainedRuns.open($0.url) }
        let temperatures = try members.map { try RunCalibration.load(from: RunDirectory($0.url))?.temperature }
        for (member, temperature) in zip(members, temperatures) {
            log("member \(member.url.path) (\(member.configuration.model)): "
                + (temperature.map { String(format: "calibrated, temperature %.3f", $0) } ?? "no calibration.json, raw probabilities"))
        }

        let root = request.dataDirectory ?? URL(fileURLWithPath: first.dataDirectory)
        let folder = try ImageFolder.scan(root, conformingTo: first.datasetDescription, allowingMissingClasses: false)
        let parts = try manifest.resolve(against: folder)
        let hasValidation = members.allSatisfy { $0.configuration.refit == nil }
        try parts.requireEveryPart(validation: hasValidation)

        var skipped: [String: String] = [:]
        /// Each member's probabilities `[member][image][class]` of the images of `part` every member could read.
        func scored(_ part: DatasetPart) throws -> (images: [DatasetImage], probabilities: [[[Double]]]) {
            let images = parts.assigned.filter { $0.part == part }.map(\.image)
            let outputs = try EnsembleRun.memberOutputs(opened, temperatures: temperatures,
                                                        ofEncoded: images.map { .file(folder.url(of: $0)) })
            var kept: [Int] = []
            for index in images.indices {
                if let failure = outputs.lazy.compactMap({ result -> Error? in
                    if case .failure(let error) = result[index] { return error }
                    return nil
                }).first {
                    skipped[images[index].relativePath] = "\(failure)"
                } else {
                    kept.append(index)
                }
            }
            return (kept.map { images[$0] }, outputs.map { member in kept.map { try! member[$0].get().probabilities } })
        }

        let validation: (images: [DatasetImage], probabilities: [[[Double]]]) = hasValidation ? try scored(.validation) : ([], [])
        let validationLabels = validation.images.map(\.label)
        if request.weighting == .fit, validationLabels.isEmpty { throw EnsembleError.noValidationImages(members[0].url.path) }
        let weights = request.weighting == .fit
            ? try EnsembleWeights.fit(probabilities: validation.probabilities, labels: validationLabels)
            : [Double](repeating: 1 / Double(members.count), count: members.count)
        let memberLosses: [Double?] = validation.probabilities.isEmpty
            ? members.map { _ in nil } : validation.probabilities.map { EnsembleWeights.logLoss($0, labels: validationLabels) }
        let averaged = EnsembleWeights.combine(validation.probabilities, weights: weights)
        let ensembleLoss = validationLabels.isEmpty ? nil : EnsembleWeights.logLoss(averaged, labels: validationLabels)
        let specification = EnsembleSpecification(
            members: members.indices.map { index in
                EnsembleSpecification.Member(run: members[index].url.path, configurationSHA256: members[index].sha256,
                                             model: members[index].configuration.model, weight: weights[index],
                                             temperature: temperatures[index], validationLogLoss: memberLosses[index])
            }, weightsMethod: request.weighting, validationLogLoss: ensembleLoss)
        for member in specification.members {
            log(String(format: "weight %.4f: %@", member.weight, member.run)
                + (member.validationLogLoss.map { String(format: " (validation log loss %.4f)", $0) } ?? ""))
        }
        log("weights: \(request.weighting == .fit ? "fitted on the validation part (log loss of the average)" : "equal")"
            + (ensembleLoss.map { String(format: "; validation log loss of the average %.4f", $0) } ?? ""))

        // The ensemble's own temperature on the validation part, before the test part is scored.
        let calibration = validationLabels.isEmpty ? nil
            : try RunCalibration(fittingProbabilities: averaged, labels: validationLabels,
                                 source: "validation part, the members' weighted average")
        log("calibration: " + (calibration?.summaryLine ?? "none (the members have no validation part)"))

        let test = try scored(.test)
        let raw = EnsembleWeights.combine(test.probabilities, weights: weights)
        let scoredTest = ScoredImages(classNames: first.classes.names, paths: test.images.map(\.relativePath),
                                      labels: test.images.map(\.label), probabilities: calibration?.calibrated(raw) ?? raw)
        let metrics = try scoredTest.metrics(cost: first.costMatrix, positiveClass: first.classes.positiveClass)
        for (path, reason) in skipped.sorted(by: { $0.key < $1.key }) { log("skipped unreadable image \(path): \(reason)") }

        let createdFolder = try run.claimForNewRun()
        do {
            try manifest.save(to: run.splitManifest)
            try calibration?.save(in: run)
            // The ensemble's features are its first member's: so is its out-of-distribution check.
            if let check = try OutOfDistributionCheck.load(from: RunDirectory(members[0].url)) {
                try check.save(in: run)
                log("out-of-distribution check: the first member's (threshold \(check.threshold))")
            } else {
                log("out-of-distribution check: none (the first member has none; add one with `leukemia ood fit \(run.url.path)`)")
            }
            var details: [(String, String)] = [("model", "ensemble, weights \(request.weighting.rawValue)")]
            for (index, member) in specification.members.enumerated() {
                details.append(("member \(index + 1)", String(format: "%@ (%@), weight %.4f", member.run, member.model, member.weight)))
            }
            details.append(("images scored", "\(test.images.count)"))
            details.append(("skipped", "\(skipped.count)"))
            details.append(("probabilities", calibration.map { "calibrated: " + $0.summaryLine }
                                ?? "the members' weighted average (no ensemble calibration)"))
            try EvaluationWriter.write(metrics: metrics, title: "ensemble of \(members.count) runs — test part of \(root.lastPathComponent)",
                                       details: details, scored: scoredTest, into: run.url)
            let configuration = RunConfiguration(
                formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current,
                model: EnsembleSpecification.modelName, seed: 0, dataDirectory: root.standardizedFileURL.path,
                split: manifest.configuration, inputSize: opened[0].inputSize, purpleRange: first.purpleRange,
                libraries: ToolkitVersion.libraries,
                hyperparameters: Dictionary(uniqueKeysWithValues: weights.enumerated().map { ("weight_\($0.offset + 1)", $0.element) }),
                skippedImages: skipped, createdAt: ISO8601DateFormatter().string(from: start),
                trainingSeconds: Date().timeIntervalSince(start), cnn: nil, fileHashes: [:], dataset: first.dataset,
                cost: first.cost, refit: nil, ensemble: specification)
            // The config is written last: a run directory without it is an unfinished run.
            try run.writeJSON(configuration, to: run.configuration)
        } catch {
            run.releaseClaim(createdFolder: createdFolder)
            throw error
        }
        log(String(format: "test accuracy %.4f, total cost %.0f", metrics.accuracy, metrics.totalCost))
        return EnsembleOutcome(specification: specification, metrics: metrics, calibration: calibration)
    }

    /// A member run as read for the checks.
    struct CheckedMember {
        let url: URL
        let configuration: RunConfiguration
        let sha256: String
        let manifest: SplitManifest
    }

    /// The members' configurations and splits, checked to fit together.
    /// - Throws: `EnsembleError` naming the member at fault; `RunDirectoryError` for a missing or unreadable run.
    static func checkedMembers(_ urls: [URL], weighting: EnsembleWeighting) throws -> [CheckedMember] {
        guard urls.count >= 2 else { throw EnsembleError.tooFewMembers(urls.count) }
        var seen: Set<String> = [], members: [CheckedMember] = []
        for url in urls.map(\.standardizedFileURL) {
            guard seen.insert(url.resolvingSymlinksInPath().path).inserted else { throw EnsembleError.duplicateMember(url.path) }
            let directory = RunDirectory(url)
            let configuration = try directory.loadConfiguration()
            if configuration.model == EnsembleSpecification.modelName { throw EnsembleError.memberIsEnsemble(url.path) }
            if configuration.refit != nil, weighting == .fit { throw EnsembleError.refitNeedsEqualWeights(url.path) }
            let sha256: String
            do {
                sha256 = try SHA256.hash(fileAt: directory.configuration).hexString
            } catch {
                throw RunDirectoryError.corrupt(directory.configuration.path, reason: "\(error)")
            }
            members.append(CheckedMember(url: url, configuration: configuration, sha256: sha256,
                                         manifest: try SplitManifest.load(from: directory.splitManifest)))
        }
        let first = members[0]
        for member in members.dropFirst() {
            let (names, firstNames) = (member.configuration.classes.names, first.configuration.classes.names)
            if names != firstNames {
                throw EnsembleError.classesDiffer(member: member.url.path, first: first.url.path,
                                                  reason: "\(names.joined(separator: ", ")), not \(firstNames.joined(separator: ", "))")
            }
            if member.configuration.classes != first.configuration.classes {
                throw EnsembleError.classesDiffer(member: member.url.path, first: first.url.path,
                                                  reason: "the same names, but other folders or another positive class")
            }
            if member.configuration.costMatrix != first.configuration.costMatrix {
                throw EnsembleError.costDiffers(member: member.url.path, first: first.url.path)
            }
            if let reason = difference(between: first.manifest, and: member.manifest) {
                throw EnsembleError.splitDiffers(member: member.url.path, first: first.url.path, reason: reason)
            }
        }
        return members
    }

    /// How `other`'s entries (path, label, part, content hash) differ from `manifest`'s, or nil when they are the same.
    static func difference(between manifest: SplitManifest, and other: SplitManifest) -> String? {
        let mine = Dictionary(manifest.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(other.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var reasons: [String] = []
        let missing = mine.keys.filter { theirs[$0] == nil }.sorted(), extra = theirs.keys.filter { mine[$0] == nil }.sorted()
        let common = mine.keys.filter { theirs[$0] != nil }.sorted()
        let moved = common.filter { mine[$0]!.part != theirs[$0]!.part }
        let changed = common.filter { mine[$0]!.contentHash != theirs[$0]!.contentHash || mine[$0]!.label != theirs[$0]!.label }
        if let path = moved.first {
            reasons.append("\(moved.count) images in other parts, e.g. \(path) in its \(theirs[path]!.part.rawValue) part, "
                           + "not the \(mine[path]!.part.rawValue) part")
        }
        if let path = missing.first { reasons.append("\(missing.count) images of the first member's split missing, e.g. \(path)") }
        if let path = extra.first { reasons.append("\(extra.count) images the first member's split does not have, e.g. \(path)") }
        if let path = changed.first { reasons.append("\(changed.count) images with other contents or labels, e.g. \(path)") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
