import ArgumentParser
import Foundation
import LeukemiaKit
import Evaluation
import Datasets

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

    @Option(name: .long, help: ArgumentHelp("Folder of class subfolders (Benign, Early, Pre, Pro).",
                                            discussion: "Default: \(DataOption.defaultDirectory) when present."))
    var data: String?

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
    @Option(name: .long, help: "JSON file with a 4x4 misclassification cost matrix (rows true, columns predicted).")
    var cost: String?

    func matrix() throws -> CostMatrix {
        guard let cost else { return .study }
        return try CostMatrix.load(from: URL(fileURLWithPath: cost), classNames: LeukemiaClass.names)
    }
}
