import Foundation

/// The files a CNN or cell-attention run adds to a run directory.
extension RunDirectory {
    /// The best epoch's weights (the network's full state dict).
    public var weights: URL { url.appendingPathComponent("weights.safetensors") }
    /// The latest epoch's weights, optimizer state and training state, rewritten after every epoch.
    public var checkpoint: URL { url.appendingPathComponent("checkpoint.safetensors") }
    /// What the training was asked to do, written before the first epoch; `--resume` reads it.
    public var trainingSession: URL { url.appendingPathComponent("training-options.json") }
    /// One JSON object per epoch.
    public var epochLog: URL { url.appendingPathComponent("epochs.jsonl") }
    /// A cell-attention run's backbone whose top blocks it fine-tuned (the best epoch's full
    /// state dict); absent for a frozen backbone, which the run names by its weights source.
    public var cellBackbone: URL { url.appendingPathComponent("backbone.safetensors") }
    /// Loss, accuracy and learning-rate curves.
    public var curves: URL { url.appendingPathComponent("curves.png") }
}
