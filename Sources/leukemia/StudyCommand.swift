import ArgumentParser
import Comparison
import Foundation
import Datasets
import LeukemiaKit
import ModelZoo

/// `leukemia study`: a command group whose default subcommand (`start`) trains or submits a study,
/// so that `leukemia study --data ... --out ...` reads as before.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train several models on one split (or the same folds) and compare them (OUT/comparison/report.html).",
        subcommands: [StudyStartCommand.self, StudyStatusCommand.self, StudyResumeCommand.self, StudyRunTaskCommand.self,
                      StudyFinishCommand.self],
        defaultSubcommand: StudyStartCommand.self)
}

/// Where a study's trainings run.
enum StudyExecutor: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}

/// The `sbatch` resources of a study submitted to Slurm.
struct SlurmArguments: ParsableArguments {
    @Option(name: .customLong("slurm-partition"), help: "Slurm partition of the jobs (sbatch --partition).")
    var partition: String?

    @Option(name: .customLong("slurm-cpus-per-task"), help: "CPUs of each training (sbatch --cpus-per-task).")
    var cpusPerTask: Int?

    @Option(name: .customLong("slurm-mem"), help: "Memory of each training, e.g. 8G (sbatch --mem).")
    var memory: String?

    @Option(name: .customLong("slurm-time"), help: "Time limit of each training, e.g. 4:00:00 (sbatch --time).")
    var time: String?

    @Option(name: .customLong("slurm-extra"), parsing: .unconditional, help: ArgumentHelp("Further sbatch arguments, split at spaces, e.g. \"--account=lab --qos=long\".",
                                                                 valueName: "ARGS"))
    var extra: String?

    var options: SlurmOptions {
        SlurmOptions(partition: partition, cpusPerTask: cpusPerTask, memory: memory, time: time,
                     extra: extra.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) } ?? [])
    }

    var isEmpty: Bool { options == SlurmOptions() }
}

struct StudyStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Train several models on one split (or the same folds) and compare them (OUT/comparison/report.html).",
        discussion: """
            Every model is a normal run directory inside --out, trained as `leukemia train` would train it, on the split \
            saved once as OUT/split.json. A killed study continues when the same command runs again: finished runs are \
            kept, an interrupted CNN resumes from its checkpoint. CNN options apply to every CNN of the study. \
            With --executor slurm the split is made here, each model's training becomes one task of a Slurm job array \
            and a job after them writes the comparison (OUT must be on storage the cluster's nodes share); follow it with \
            `leukemia study status OUT`, continue it with `leukemia study resume OUT`.
            """)

    @OptionGroup var data: DataOption

    @Option(name: .long, help: "Study folder to create (or to continue).")
    var out: String

    @Option(help: ArgumentHelp("Comma-separated models: svm, xgboost, any architecture, hybrid (on --backbone, default efficientnet-lite0). Default: svm, xgboost, efficientnet-lite0 and the hybrid on it, and vgg16, densenet201 and convnext-tiny where their ImageNet weights are installed (or with --weights none).",
                               valueName: "LIST"))
    var models: String?

    @Option(help: "Seed of every random choice (split, models).")
    var seed: UInt64 = 42

    @Option(help: "Use this split manifest (split.json) instead of making one.")
    var split: String?

    @Option(name: .customLong("group-runs"), help: "Keep runs of N consecutive file numbers in one part.")
    var groupRuns: Int?

    @Option(name: .customLong("fractions"), parsing: .upToNextOption, help: "Train, validation and test fractions.")
    var fractions: [Double] = [StudyProtocol.defaultSplit.train, StudyProtocol.defaultSplit.validation, StudyProtocol.defaultSplit.test]

    @Option(help: ArgumentHelp("Cross-validate every model on the same K folds instead of one split.", valueName: "K"))
    var folds: Int?

    @Flag(help: "Refit every model on train + validation after its model selection (see `train --refit`).")
    var refit = false

    @OptionGroup var cost: CostOption

    @OptionGroup(title: "CNN options (for every CNN of the study)") var cnn: CNNTrainingArguments

    @OptionGroup(title: "Cell-attention options (with cell-attention in --models)") var cells: CellAttentionArguments

    @Option(help: "Where the trainings run: local (one after the other, here) or slurm (one job array task each).")
    var executor: StudyExecutor = .local

    @OptionGroup(title: "Slurm options (with --executor slurm)") var slurm: SlurmArguments

    /// The default models: those that can train here.
    static let standardModels = ["svm", "xgboost", "efficientnet-lite0", "hybrid"]
    static let modelsNeedingImportedWeights: [Architecture] = [.vgg16, .densenet201, .convnextTiny]

    func run() throws {
        try reportingErrors {
            let request = try makeRequest()
            switch executor {
            case .local:
                guard slurm.isEmpty else { throw ValidationError("the --slurm-* options need --executor slurm") }
                let count = Study.tasks(of: request).count
                guard try Study.run(request, log: { print($0) }, control: { index, label in
                    cnn.control(prefix: "[\(index + 1)/\(count) \(label)] ")
                }) != nil else {
                    print("the study stopped before its end; run the same command again to continue")
                    return
                }
                try compare(request, commandLine: CommandLine.arguments)
            case .slurm:
                try Study.prepare(request, log: { print($0) })
                let record = SlurmRecord(executable: SlurmStudy.currentExecutable(),
                                         workingDirectory: FileManager.default.currentDirectoryPath,
                                         arguments: Array(CommandLine.arguments.dropFirst()),
                                         runs: Study.tasks(of: request).map { $0.runPath(in: request) },
                                         options: slurm.options, submissions: Self.submissions(in: request.directory))
                try SlurmStudy.submit(request.directory, record: record) { print($0) }
                print("follow it with: leukemia study status \(out)")
            }
        }
    }

    /// The study this command describes.
    func makeRequest() throws -> StudyRequest {
        guard fractions.count == 3 else {
            throw ValidationError("--fractions takes three numbers (train validation test), got \(fractions.count)")
        }
        guard folds == nil || split == nil else { throw ValidationError("--folds makes its own splits; it cannot reuse --split") }
        let splitConfiguration = SplitConfiguration(trainFraction: fractions[0], validationFraction: fractions[1],
                                                    testFraction: fractions[2], seed: seed, groupRuns: groupRuns)
        try splitConfiguration.validate()
        let trainingData = TrainingData(directory: try data.directory(), descriptionFile: data.classesFile, costFile: cost.file)
        let classCount = try trainingData.description().classes.count
        return StudyRequest(
            directory: URL(fileURLWithPath: out), data: trainingData,
            models: try modelNames().map { ($0.folder, try specification(of: $0.model, classCount: classCount)) },
            seed: seed, split: splitConfiguration, reusedSplit: split.map { URL(fileURLWithPath: $0) }, folds: folds, refit: refit,
            weightsCache: cnn.weightsCacheURL, featureCache: cnn.featureCacheURL, commandLine: CommandLine.arguments)
    }

    /// Writes the study's comparison into OUT/comparison, anew (it is deterministic): of every run
    /// when all finished, else of the finished ones, naming the others and their logs.
    /// - Throws: `ComparisonError` (nothing finished, ...).
    func compare(_ request: StudyRequest, commandLine: [String]) throws {
        let comparison = request.directory.appendingPathComponent("comparison")
        if FileManager.default.fileExists(atPath: comparison.path) { try FileManager.default.removeItem(at: comparison) }
        try Study.poolFinishedCrossValidations(request) { print("[compare] " + $0) }
        let runs = Study.runs(of: request)
        let finished = runs.filter(Study.isFinished)
        let summary = try Comparison.run(ComparisonRequest(
            inputs: finished.count == runs.count ? [request.directory] : finished, output: comparison, seed: seed,
            costFile: cost.file, commandLine: (["leukemia"] + commandLine.dropFirst()).map(CompareCommand.quoted).joined(separator: " ")
        )) { print("[compare] " + $0) }
        for model in summary.models {
            print(String(format: "%@: accuracy %.4f, total cost %.0f", model.name, model.metrics.accuracy, model.metrics.totalCost)
                  + (model.name == summary.bestModel ? " (best)" : ""))
        }
        // The comparison of what finished; each unfinished training (a model, or a fold) is named,
        // with its log when it ran in Slurm.
        let unfinished = Study.tasks(of: request).enumerated().filter { !$1.isFinished(modelRun: runs[$1.model]) }
        if !unfinished.isEmpty {
            let lines = unfinished.map { index, task -> String in
                let log = SlurmStudy.log(of: index, in: request.directory)
                return "- \(task.runPath(in: request)): not finished"
                    + (FileManager.default.fileExists(atPath: log.path) ? " (log: \(log.path))" : "")
            }
            try Data((["# Not compared", ""] + lines + ["", "Continue with `leukemia study resume \(request.directory.path)` "
                        + "(Slurm) or the study's own command (local).", ""]).joined(separator: "\n").utf8)
                .write(to: comparison.appendingPathComponent("unfinished.md"))
            lines.forEach { print("not compared: " + $0.dropFirst(2)) }
        }
        print("runs: " + runs.map(\.lastPathComponent).joined(separator: ", ") + "; comparison: \(comparison.path)/report.html")
    }

    /// The submissions `slurm.json` holds already in `directory`.
    static func submissions(in directory: URL) -> [SlurmSubmission] {
        let file = directory.appendingPathComponent(SlurmRecord.fileName)
        return (try? JSONDecoder().decode(SlurmRecord.self, from: Data(contentsOf: file)))?.submissions ?? []
    }

    /// The study command recorded in `slurm.json`, parsed again in its working directory, for
    /// the study folder `directory` (where it is now).
    static func recorded(in directory: URL) throws -> (command: StudyStartCommand, record: SlurmRecord) {
        let file = directory.appendingPathComponent(SlurmRecord.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { throw SlurmError.notSubmitted(path: directory.path) }
        let record: SlurmRecord = try RunDirectory(directory).readJSON(file)
        guard FileManager.default.changeCurrentDirectoryPath(record.workingDirectory) else {
            throw ValidationError("cannot enter the study's working directory \(record.workingDirectory)")
        }
        guard var command = try Leukemia.parseAsRoot(record.arguments) as? StudyStartCommand else {
            throw ValidationError("\(file.path) does not hold a study command: \(record.arguments.joined(separator: " "))")
        }
        command.out = directory.path
        return (command, record)
    }

    /// The listed (or default) models with their run folder names.
    private func modelNames() throws -> [(model: ModelChoiceOrHybrid, folder: String)] {
        let names = models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            ?? Self.standardModels + Self.modelsNeedingImportedWeights.filter { architecture in
                cnn.weights != "imagenet" || (try? WeightsSource.imagenet.file(for: architecture, cache: cnn.weightsCacheURL)) != nil
            }.map(\.rawValue)
        return try names.map { name in
            if name == Architecture.hybrid.rawValue {
                let backbone = cnn.backbone ?? .efficientnetLite0
                return (.hybrid(backbone: backbone), "hybrid-\(backbone.rawValue)")
            }
            guard let choice = ModelChoice(argument: name) else {
                throw ValidationError("unknown model '\(name)' in --models; known: \(ModelChoice.allValueStrings.joined(separator: ", "))")
            }
            return (.plain(choice), name)
        }
    }

    /// A model of the list: a `train --model` choice, or the hybrid on a backbone.
    enum ModelChoiceOrHybrid {
        case plain(ModelChoice)
        case hybrid(backbone: Architecture)
    }

    /// The specification of `model` with this command's CNN options (`--backbone` applies to the hybrid only).
    private func specification(of model: ModelChoiceOrHybrid, classCount: Int) throws -> ModelSpecification {
        var arguments = cnn
        switch model {
        case .plain(let choice):
            arguments.backbone = nil
            return try choice.specification(cnn: arguments, cells: cells, classCount: classCount, seed: seed)
        case .hybrid(let backbone):
            arguments.backbone = backbone
            return try ModelChoice.cnn(.hybrid).specification(cnn: arguments, cells: cells, classCount: classCount, seed: seed)
        }
    }
}
