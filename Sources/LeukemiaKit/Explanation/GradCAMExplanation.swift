/// What Grad-CAM says about one image: the class explained, its probability, and one heat map
/// per explained layer.
public struct GradCAMExplanation: Sendable, Equatable {
    /// The explained class (the predicted one unless another was asked for).
    public let classIndex: Int
    /// The softmax probability of `classIndex` for the image.
    public let probability: Double
    /// The network's predicted (arg-max) class.
    public let predictedClassIndex: Int
    /// One map per explained layer, in the order the layers were asked for.
    public let maps: [GradCAMMap]

    /// The map of `layer`, if it was explained.
    public func map(of layer: String) -> GradCAMMap? { maps.first { $0.layer == layer } }
}
