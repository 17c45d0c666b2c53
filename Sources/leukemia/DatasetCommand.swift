import ArgumentParser
import Foundation
import LeukemiaKit
import Datasets

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Look at a data folder.", subcommands: [Inspect.self, Export.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print counts per class, groups of identical files and unreadable images (and cells per image, with --cells).")

        @Argument(help: "Folder of class subfolders.")
        var directory: String

        @Option(help: ArgumentHelp(
            "A folder of cell records that `leukemia cells` wrote for this folder's images: adds per class the minimum, median and maximum number of cells per image.",
            valueName: "DIR"))
        var cells: String?

        func run() throws {
            let inspection = try reportingErrors { try DatasetInspection.inspect(URL(fileURLWithPath: directory)) }
            print(inspection.summary)
            if let cells {
                let summary = try reportingErrors {
                    try CellCountSummary.load(records: URL(fileURLWithPath: cells), for: inspection.folder)
                }
                print(summary.lines.joined(separator: "\n"))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy one part of a run's split (e.g. its test part) into a new folder of class subfolders.")

        @Argument(help: "Run directory written by `leukemia train`.")
        var runDirectory: String

        @Option(help: "Part to copy: train, validation or test.")
        var part: DatasetPart = .test

        @Option(name: .long, help: "Folder to create.")
        var out: String

        func run() throws {
            let count = try reportingErrors {
                try SplitExport.export(run: RunDirectory(URL(fileURLWithPath: runDirectory)), part: part,
                                       to: URL(fileURLWithPath: out))
            }
            print("copied \(count) \(part.rawValue) images into \(out)")
        }
    }
}

extension DatasetPart: ExpressibleByArgument {}
