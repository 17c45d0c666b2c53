import ArgumentParser
import Foundation
import LeukemiaKit
import Evaluation

/// Runs a command body; a toolkit error is printed as one line on standard error and ends the
/// command with a non-zero exit status.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The data folder option shared by the commands that read a data set.
struct DataOption: ParsableArguments {
    static let defaultDirectory = "../shared/data/ALL"

    @Option(name: .long, help: ArgumentHelp("Folder of class subfolders (one per class, any number >= 2).",
                                            discussion: "Default: \(DataOption.defaultDirectory) when present."))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("A dataset description (JSON) replacing the data folder's dataset.json: class order, display names, merged folders, ordering, default costs, groups.",
                                            valueName: "FILE"))
    var classes: String?

    /// The `--classes` file, if given.
    var classesFile: URL? { classes.map { URL(fileURLWithPath: $0) } }

    /// The folder given, or the default one when it exists.
    func directory() throws -> URL {
        if let data { return URL(fileURLWithPath: data) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: Self.defaultDirectory, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: Self.defaultDirectory)
        }
        printError("error: no data folder: pass --data DIR, a folder with subfolders Benign, Early, Pre and Pro. "
                   + "The public 'Acute Lymphoblastic Leukemia (ALL) image dataset' (Aria et al.) is on Kaggle as "
                   + "mehradaria/leukemia, folder 'Original'.")
        throw ExitCode.failure
    }
}

/// The cost matrix option shared by training, evaluation and prediction.
struct CostOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Misclassification costs (rows true, columns predicted): JSON keyed by class names, CSV with a header row, or rows in class order.",
        discussion: "Default: the run's recorded costs; for training, the dataset's (dataset.json, the study's for ALL, else 1 per error, or the distance between stages for ordered classes).",
        valueName: "FILE"))
    var cost: String?

    /// The `--cost` file, if given.
    var file: URL? { cost.map { URL(fileURLWithPath: $0) } }

    /// The matrix of `--cost` for the run's classes, or the run's recorded matrix.
    func matrix(for run: RunConfiguration) throws -> CostMatrix {
        try CostMatrix.load(file, classes: run.classes, fallback: run.costMatrix)
    }
}
