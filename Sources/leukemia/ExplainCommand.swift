import ArgumentParser
import Datasets
import Foundation
import LeukemiaKit

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show where a trained model looks: Grad-CAM heat maps of a CNN, or the attention of a cell-attention run's cells.",
        discussion: """
            For each image and layer, writes into --out <name>.<layer>.overlay.png (the heat map in viridis \
            colours, blended at opacity 0.5 over the image resized as the network saw it) and \
            <name>.<layer>.map.npy (the raw map: float32, input size x input size, in [0, 1], divided by its \
            maximum; numpy.load reads it). Default layer: the backbone's last convolutional stage (for the \
            hybrid, also its U-Net stage that feeds the classifier). A cell-attention run writes <name>.cells.png (each \
            cell found, its box coloured by its attention weight, viridis: the heaviest yellow) and <name>.attention.json \
            (the cells, heaviest first, with their boxes and weights), and prints the five heaviest.
            """)

    @Argument(help: "Run directory of a CNN or a cell-attention model trained by `leukemia train`.")
    var runDirectory: String

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png).")
    var paths: [String]

    @Option(help: ArgumentHelp("Folder for the heat maps (created if needed).", valueName: "DIR"))
    var out: String

    @Option(name: .customLong("class"), help: ArgumentHelp(
        "The class to explain: a class name of the run or its 0-based index. Default: each image's predicted class.",
        valueName: "C"))
    var className: String?

    @Option(name: .customLong("layer"), help: ArgumentHelp(
        "A feature map to explain, by its PyTorch module name (e.g. features.norm5); repeat for several. Default: the network's.",
        valueName: "NAME"))
    var layers: [String] = []

    func run() throws {
        let failures = try reportingErrors { () -> Int in
            let url = URL(fileURLWithPath: runDirectory)
            if try RunDirectory(url).loadConfiguration().model == CellAttentionOptions.modelName,
               let cellRun = try TrainedRuns.open(url) as? CellAttentionRun {
                return try explainCells(with: cellRun)
            }
            let explainer = try GradCAMRun.open(url)
            let layers = self.layers.isEmpty ? explainer.gradCAM.defaultLayers : self.layers
            try explainer.gradCAM.validate(layers: layers)
            let classIndex = try className.map { try explainer.classIndex(named: $0) }
            let folder = URL(fileURLWithPath: out)
            // Heat maps written earlier into a folder that is also searched are not images to explain.
            let files = try ImageFileCollector.collect(paths.map { URL(fileURLWithPath: $0) }, excluding: folder)
            var failures = 0
            for (file, stem) in zip(files, ImageFileCollector.outputStems(for: files)) {
                do {
                    let output = try explainer.explain(fileAt: file, classIndex: classIndex, layers: layers, into: folder, stem: stem)
                    let predicted = output.predictedClassName == output.className ? "" : ", predicted \(output.predictedClassName)"
                    print("\(file.path): \(output.className) (p = \(String(format: "%.3f", output.probability))\(predicted))")
                    for layer in output.files {
                        print("  \(layer.layer): \(layer.overlay.path), \(layer.map.path)")
                    }
                } catch let error as GradCAMError {
                    throw error
                } catch {
                    printError("error: \(file.path): \(error)")
                    failures += 1
                }
            }
            return failures
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// A cell-attention run explains itself by its cells: each box coloured by its attention weight.
    private func explainCells(with run: CellAttentionRun) throws -> Int {
        guard className == nil, layers.isEmpty else {
            throw ValidationError("--class and --layer apply to CNN runs; a cell-attention run shows the attention of its cells")
        }
        let folder = URL(fileURLWithPath: out)
        let files = try ImageFileCollector.collect(paths.map { URL(fileURLWithPath: $0) }, excluding: folder)
        var failures = 0
        for (file, stem) in zip(files, ImageFileCollector.outputStems(for: files)) {
            do {
                let (explanation, overlay) = try CellAttentionExplanation.explain(fileAt: file, with: run, into: folder, stem: stem)
                print("\(file.path): \(explanation.predictedClass) (p = \(String(format: "%.3f", explanation.probability))), "
                      + (explanation.wholeImage ? "no cell found: the whole image decided"
                         : "\(explanation.cells.count) cells; \(overlay.path)"))
                for (rank, weighted) in explanation.cells.prefix(5).enumerated() {
                    let box = weighted.cell.box
                    print(String(format: "  %d. weight %.3f  box x %d y %d  %dx%d", rank + 1, weighted.weight, box.x, box.y,
                                 box.width, box.height))
                }
            } catch {
                printError("error: \(file.path): \(error)")
                failures += 1
            }
        }
        return failures
    }
}
