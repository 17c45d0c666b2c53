import Datasets
import Foundation

extension RunDirectory {
    /// Starts a checkpointed training (a CNN's or a cell-attention model's) in this directory:
    /// claims it, writes its split, any `extraFiles` (a refit's `selection-split.json`) and the
    /// `session` that `--resume` reads (`training-options.json`), then runs `train`. A failure
    /// before the first checkpoint (e.g. weights that do not fit) leaves nothing to resume, so the
    /// directory is freed for a corrected command.
    /// - Throws: what claiming the directory, writing the files or `train` throws.
    func beginTraining<Session: Encodable, Outcome>(manifest: SplitManifest, extraFiles: [(URL, SplitManifest)] = [],
                                                    session: Session, _ train: () throws -> Outcome) throws -> Outcome {
        let createdFolder = try claimForNewRun()
        do {
            try manifest.save(to: splitManifest)
            for (url, extra) in extraFiles { try extra.save(to: url) }
            try writeJSON(session, to: trainingSession)
            return try train()
        } catch {
            if !FileManager.default.fileExists(atPath: checkpoint.path) { releaseClaim(createdFolder: createdFolder) }
            throw error
        }
    }
}
