import Foundation
import Imaging
import ModelZoo
import ToolkitSupport

/// A trained CNN run opened for Grad-CAM explanations of image files (`leukemia explain`).
///
/// Each image is decoded and resized as the run's images were (`inputSize` square by the run's
/// resize policy), so the maps and overlays are at the network's input size, over the image the
/// network saw. For each explained layer, `explain(fileAt:...)` writes two files into the output
/// folder:
///
/// - `<stem>.<layer>.overlay.png`: the heat map in `Viridis` colours alpha-blended (opacity 0.5)
///   over the resized image (`GradCAMMap.overlay(on:opacity:)`);
/// - `<stem>.<layer>.map.npy`: the raw map, float32 `(inputSize, inputSize)` in [0, 1]
///   (`GradCAMMap.npyData`), for `numpy.load`.
public struct GradCAMRun {
    public let run: CNNRun
    public let gradCAM: GradCAM

    /// The opacity of the heat map in the written overlays.
    public static let overlayOpacity: Float = 0.5

    /// Opens the run at `url` (its network in the training graph, which Grad-CAM differentiates).
    /// - Throws: `GradCAMError.notACNNRun` for a classical run; `RunDirectoryError` for a missing,
    ///   incomplete or incompatible run.
    public static func open(_ url: URL) throws -> GradCAMRun {
        let directory = RunDirectory(url)
        let configuration = try directory.loadConfiguration()
        guard configuration.cnn != nil else { throw GradCAMError.notACNNRun(url.path, model: configuration.model) }
        let run = try CNNRun.open(directory, configuration: configuration, testTimeAugmentation: 0, views: .mirror,
                                  optimized: false)
        return GradCAMRun(run: run, gradCAM: GradCAM(network: run.inference.network, normalization: run.options.normalization))
    }

    /// The run's class names, in the network's output order.
    public var classNames: [String] { run.configuration.classes.names }

    /// The index of the class `name`: one of the run's class names (ignoring case) or a 0-based index.
    /// - Throws: `GradCAMError.unknownClass` listing the run's classes.
    public func classIndex(named name: String) throws -> Int {
        if let index = run.configuration.classes.index(of: name) { return index }
        if let index = Int(name), classNames.indices.contains(index) { return index }
        throw GradCAMError.unknownClass(name, classes: classNames)
    }

    /// Explains the image file at `url` for `classIndex` (nil: the predicted class) at `layers`
    /// (nil: `GradCAM.defaultLayers`), writing each layer's overlay and map into `folder` (created
    /// if needed) under names starting with `stem`.
    /// - Throws: `GradCAMError` for an unknown layer or class; `ImageError` naming an unreadable
    ///   file; `AtomicFileError` naming a file that cannot be written.
    public func explain(fileAt url: URL, classIndex: Int? = nil, layers: [String]? = nil, into folder: URL,
                        stem: String) throws -> GradCAMFileOutput {
        let (image, explanation) = try explain(.file(url), classIndex: classIndex, layers: layers)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [GradCAMFileOutput.LayerFiles] = []
        for map in explanation.maps {
            let overlay = folder.appendingPathComponent("\(stem).\(map.layer).overlay.png")
            let raw = folder.appendingPathComponent("\(stem).\(map.layer).map.npy")
            try AtomicFile.write(try ImageEncoder.png(try map.overlay(on: image, opacity: Self.overlayOpacity)), to: overlay)
            try AtomicFile.write(map.npyData, to: raw)
            files.append(GradCAMFileOutput.LayerFiles(layer: map.layer, overlay: overlay, map: raw))
        }
        return GradCAMFileOutput(file: url, className: classNames[explanation.classIndex], probability: explanation.probability,
                                 predictedClassName: classNames[explanation.predictedClassIndex], files: files)
    }

    /// The explanation of one encoded image (a file, or bytes such as an upload) for `classIndex`
    /// (nil: the predicted class) at `layers` (nil: `GradCAM.defaultLayers`), with the image as
    /// the network saw it (decoded and resized as the run's images were), which the maps overlay.
    /// - Throws: `GradCAMError` for an unknown layer or class; `ImageError` naming an undecodable image.
    public func explain(_ encoded: EncodedImage, classIndex: Int? = nil,
                        layers: [String]? = nil) throws -> (image: RGBImage, explanation: GradCAMExplanation) {
        let (image, _) = try encoded.decoded(size: run.inputSize, policy: run.resizePolicy, stain: run.configuration.purpleRange)
        return (image, try gradCAM.explain([image], classIndex: classIndex, layers: layers)[0])
    }

    /// Whether the network is the hybrid, whose U-Net branch sees the image through a purple mask.
    public var hasPurpleMask: Bool { purpleMask != nil }

    /// The hybrid's purple mask of one image: the image as the network saw it, every pixel outside
    /// the mask black (what its U-Net branch sees); nil for a network without a mask.
    /// - Throws: `ImageError` naming an undecodable image.
    public func purpleMaskView(of encoded: EncodedImage) throws -> RGBImage? {
        guard let mask = purpleMask else { return nil }
        let (image, _) = try encoded.decoded(size: run.inputSize, policy: run.resizePolicy, stain: run.configuration.purpleRange)
        let range = HSVRange(hue: mask.hue, minimumSaturation: mask.minimumSaturation, minimumValue: mask.minimumValue)
        return try image.masked(by: range.mask(of: image))
    }

    private var purpleMask: PurpleMask? {
        guard case .hybrid(let configuration, _) = run.options.blueprint else { return nil }
        return configuration.purpleMask
    }
}
