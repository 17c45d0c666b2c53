import ToolkitSupport

/// Why Grad-CAM cannot explain what it was asked to; each message names the value at fault.
public enum GradCAMError: DescribedError, Equatable {
    /// The run is a classical one (hand-crafted features with SVM or XGBoost): no feature maps.
    case notACNNRun(String, model: String)
    /// A layer the network does not expose to Grad-CAM.
    case unknownLayer(String, available: [String])
    /// A class name that is not one of the run's.
    case unknownClass(String, classes: [String])
    /// A class index outside the network's classes.
    case classOutOfRange(Int, classCount: Int)
    /// Nothing to explain with: an empty list of layers.
    case noLayers
    /// An overlay was asked for on an image of another size than the map's.
    case imageSizeMismatch(imageWidth: Int, imageHeight: Int, mapWidth: Int, mapHeight: Int)

    public var description: String {
        switch self {
        case let .notACNNRun(path, model):
            return "\(path) holds a '\(model)' run: Grad-CAM needs a CNN (a classical run's hand-crafted features have no feature maps)"
        case let .unknownLayer(name, available):
            return "no layer '\(name)' to explain; this network's Grad-CAM layers are: \(available.joined(separator: ", "))"
        case let .unknownClass(name, classes):
            return "no class '\(name)' in the run; its classes are: \(classes.joined(separator: ", "))"
        case let .classOutOfRange(index, classCount):
            return "class index \(index) is outside the network's \(classCount) classes (0 to \(classCount - 1))"
        case .noLayers:
            return "Grad-CAM needs at least one layer to explain"
        case let .imageSizeMismatch(imageWidth, imageHeight, mapWidth, mapHeight):
            return "a \(imageWidth)x\(imageHeight) image cannot carry a \(mapWidth)x\(mapHeight) Grad-CAM map"
        }
    }
}
