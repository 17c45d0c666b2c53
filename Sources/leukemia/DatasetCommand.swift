import ArgumentParser
import Foundation
import LeukemiaKit

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Look at a data folder.", subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print counts per class, groups of identical files and unreadable images.")

        @Argument(help: "Folder of class subfolders.")
        var directory: String

        func run() throws {
            let inspection = try reportingErrors { try DatasetInspection.inspect(URL(fileURLWithPath: directory)) }
            print(inspection.summary)
        }
    }
}
