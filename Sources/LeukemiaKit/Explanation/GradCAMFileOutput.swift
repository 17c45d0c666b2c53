import Foundation

/// What `GradCAMRun.explain(fileAt:...)` did for one image file.
public struct GradCAMFileOutput: Sendable {
    /// The files written for one layer.
    public struct LayerFiles: Sendable {
        public let layer: String
        /// The heat map blended over the resized image (PNG).
        public let overlay: URL
        /// The raw [0, 1] map (`.npy`, float32).
        public let map: URL
    }

    /// The explained image file.
    public let file: URL
    /// The explained class.
    public let className: String
    /// Its softmax probability for the image.
    public let probability: Double
    /// The network's predicted class.
    public let predictedClassName: String
    /// The written files, one entry per explained layer.
    public let files: [LayerFiles]
}
