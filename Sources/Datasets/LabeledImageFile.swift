import Foundation

/// An image file with its class, as training and evaluation read it.
public struct LabeledImageFile: Sendable, Equatable {
    /// The path shown to the user (relative to the data folder where there is one).
    public var path: String
    public var url: URL
    /// The class index in the data folder's class set.
    public var label: Int

    public init(path: String, url: URL, label: Int) {
        self.path = path
        self.url = url
        self.label = label
    }
}

extension ImageFolder {
    /// The images as labelled files.
    public func labeledFiles(_ images: [DatasetImage]) -> [LabeledImageFile] {
        images.map { LabeledImageFile(path: $0.relativePath, url: url(of: $0), label: $0.label) }
    }
}
