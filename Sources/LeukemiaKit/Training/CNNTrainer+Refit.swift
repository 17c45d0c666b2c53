import Foundation
import Datasets

extension CNNTrainer {
    /// Starts the refit of the finished CNN run `selection` in `runDirectory` (which may hold the
    /// selection in its `selection` folder): the same options, seed, classes and costs, trained on
    /// the selection's training and validation images for the selection's best epoch count, each
    /// epoch at the learning rate the selection used in it. Its last epoch's weights are the result,
    /// scored on the selection's test part. If the selection kept a weight average of epochs a–b,
    /// the refit trains b epochs and keeps its own average of epochs a–b. Killed, it continues with
    /// `resume(runDirectory)`.
    /// - Throws: `RefitError` for a selection that is not a finished CNN run chosen on a validation
    ///   part; what training throws.
    @discardableResult
    public static func refit(selection: URL, into runDirectory: URL, dataDirectory: URL? = nil,
                             control: CNNTrainingControl = .init()) throws -> CNNTrainingOutcome {
        let (selected, configuration, hash) = try Refit.finishedSelection(selection)
        guard configuration.cnn != nil else {
            throw RefitError.selectionDiffers(selection.path, reason: "it is a \(configuration.model) run, not a CNN")
        }
        var session: CNNTrainingSession = try selected.readJSON(selected.trainingSession)
        let epochs = try EpochLog(url: selected.epochLog).read()
        let averaged = configuration.hyperparameters["averaged_from_epoch"].map(Int.init)
        guard let best = (averaged == nil ? configuration.hyperparameters["best_epoch"] : configuration.hyperparameters["averaged_to_epoch"])
                .map(Int.init), best >= max(1, averaged ?? 1), best <= epochs.count else {
            throw RefitError.selectionDiffers(selection.path, reason: "its config.json records no best epoch within its \(epochs.count) logged epochs")
        }
        if let dataDirectory { session.dataDirectory = dataDirectory.standardizedFileURL.path }
        session.refit = RefitOrigin(selectionRun: selected.url.standardizedFileURL.path, selectionConfigurationSHA256: hash,
                                    learningRates: epochs.prefix(best).map { Float($0.learningRate) }, averagedFromEpoch: averaged)
        let folder = try ImageFolder.scan(URL(fileURLWithPath: session.dataDirectory), conformingTo: session.datasetDescription,
                                          allowingMissingClasses: false)
        let selectionSplit = try SplitManifest.load(from: selected.splitManifest)
        let run = RunDirectory(runDirectory, keeping: [Refit.selectionFolderName])
        control.log("refit of \(selected.url.path): \(best) epochs on train + validation, learning rates "
                    + (session.refit?.learningRates ?? []).map { String(format: "%.0e", $0) }.joined(separator: " "))
        return try begin(session, manifest: Refit.manifest(refitting: selectionSplit), in: run, folder: folder,
                         extraFiles: [(run.url.appendingPathComponent(Refit.selectionSplitFileName), selectionSplit)],
                         control: control)
    }
}
