import Foundation
import Imaging

/// Labelled images decoded and resized once, kept in memory as 8-bit RGB for all the epochs
/// of a training (2,667 images of 224x224 take about 400 MB).
public struct DecodedImageSet: Sendable {
    public let images: [RGBImage]
    public let labels: [Int]
    public let paths: [String]
    /// Files that could not be decoded, with the reason; they have no entry above.
    public let skipped: [String: String]

    public var count: Int { images.count }

    /// Decodes `files` on both cores and resizes each to `size` x `size` by `policy`.
    public static func load(_ files: [LabeledImageFile], size: Int, policy: ResizePolicy = .squash) -> DecodedImageSet {
        var results = [Result<RGBImage, Error>?](repeating: nil, count: files.count)
        results.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: files.count) { index in
                slots[index] = Result { try ImageDecoder.decode(fileAt: files[index].url).resized(toSquare: size, policy: policy) }
            }
        }
        var images: [RGBImage] = [], labels: [Int] = [], paths: [String] = [], skipped: [String: String] = [:]
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let image):
                images.append(image)
                labels.append(file.label)
                paths.append(file.path)
            case .failure(let error):
                skipped[file.path] = "\(error)"
            case nil:
                skipped[file.path] = "not decoded"
            }
        }
        return DecodedImageSet(images: images, labels: labels, paths: paths, skipped: skipped)
    }

    /// The images at `indices`, in that order (their skipped files are not carried over).
    public func subset(_ indices: [Int]) -> DecodedImageSet {
        DecodedImageSet(images: indices.map { images[$0] }, labels: indices.map { labels[$0] },
                        paths: indices.map { paths[$0] }, skipped: [:])
    }
}
