import ArgumentParser
import Datasets
import Foundation
import Imaging
import LeukemiaKit

struct CellsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cells",
        abstract: "Find the stained white cells in smear images: a box, area and centroid per cell.",
        discussion: """
            For each image, writes into --out <name>.cells.json (the image's path and size, the detector's \
            settings and the cells: box x, y, width, height, area and centroid, in pixels of the image as \
            stored) and <name>.cells.png (the image with each cell's box in green), and prints the number of \
            cells. The detector works on the image resized to --working-size pixels on its longer side: the \
            areas are meant at that size. An image that cannot be read is reported and the others are still \
            processed; the exit status is then non-zero.
            """)

    /// The rule that marks the stained pixels.
    enum StainChoice: String, ExpressibleByArgument, CaseIterable {
        /// `CellDetector.defaultStain`.
        case magenta
        /// The study's HSV purple range (`StudyProtocol.purpleRange`).
        case hsv
    }

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png).")
    var paths: [String]

    @Option(help: ArgumentHelp("Folder for the records and overlays (created if needed).", valueName: "DIR"))
    var out: String

    @Option(help: ArgumentHelp(
        "Stained pixels: magenta (the image's Otsu threshold on ((R + B) / 2 - G) / 255, at least --minimum-stain-threshold) or hsv (the study's purple range: H 0.7...0.8, S >= 0.5, V >= 0.4).",
        valueName: "RULE"))
    var stain: StainChoice = .magenta

    @Option(help: ArgumentHelp("With --stain magenta: the least threshold on the magenta channel (0...1).",
                               valueName: "T"))
    var minimumStainThreshold: Float = CellDetector.defaultMinimumStainThreshold

    @Option(help: ArgumentHelp("Longer side of the image the detector works on, in pixels.", valueName: "PIXELS"))
    var workingSize: Int = CellDetector().workingSize ?? 224

    @Option(help: ArgumentHelp("Smallest cell, in pixels at the working size.", valueName: "PIXELS"))
    var minimumArea: Int = CellDetector().minimumArea

    @Option(help: ArgumentHelp("Largest cell, in pixels at the working size.", valueName: "PIXELS"))
    var maximumArea: Int = CellDetector().maximumArea

    var detector: CellDetector {
        let rule: CellDetector.Stain = stain == .hsv ? .hsvRange(StudyProtocol.purpleRange)
            : .magentaOtsu(minimumThreshold: minimumStainThreshold)
        return CellDetector(stain: rule, workingSize: workingSize, minimumArea: minimumArea, maximumArea: maximumArea)
    }

    func run() throws {
        let (images, failures, seconds) = try reportingErrors { () -> (Int, Int, Double) in
            let folder = URL(fileURLWithPath: out)
            let writer = try CellDetectionWriter(detector: detector, folder: folder)
            // Overlays written earlier into a folder that is also searched are not images to read.
            let files = try ImageFileCollector.collect(paths.map { URL(fileURLWithPath: $0) }, excluding: folder)
            var failures = 0, seconds = 0.0
            for (file, stem) in zip(files, ImageFileCollector.outputStems(for: files)) {
                do {
                    let output = try writer.write(fileAt: file, stem: stem)
                    seconds += output.detectionSeconds
                    let count = output.record.cells.count
                    print("\(file.path): \(count) \(count == 1 ? "cell" : "cells")")
                } catch let error as ImageError {
                    printError("error: \(error)")  // names the file
                    failures += 1
                } catch {
                    printError("error: \(file.path): \(error)")
                    failures += 1
                }
            }
            return (files.count, failures, seconds)
        }
        let detected = images - failures
        let speed = seconds > 0 ? String(format: ", %.0f images/s", Double(detected) / seconds) : ""
        print("\(detected) of \(images) images done, \(failures) failed; detection took \(String(format: "%.2f", seconds)) s"
              + "\(speed) (decoding and writing excluded)")
        if failures > 0 { throw ExitCode.failure }
    }
}
