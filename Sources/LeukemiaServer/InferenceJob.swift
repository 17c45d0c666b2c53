import Foundation

/// One request's work for the inference queue, and how its answer gets back to the request.
final class InferenceJob: @unchecked Sendable {
    enum Work {
        /// Classify the images (they may share a forward pass with other requests' images).
        case predict([UploadedImage])
        /// A Grad-CAM overlay of one image, for a class name or the predicted class.
        case explain(UploadedImage, className: String?)
        /// The hybrid network's purple mask of one image.
        case purpleMask(UploadedImage)
    }

    enum Answer {
        case predictions([ImageResult])
        case overlay(png: Data, className: String, probability: Double)
    }

    let model: ServedModel
    let work: Work
    /// The client (API key name) for the audit log.
    let client: String
    let arrival: ContinuousClock.Instant
    private let continuation: CheckedContinuation<Answer, any Error>

    init(model: ServedModel, work: Work, client: String, arrival: ContinuousClock.Instant,
         continuation: CheckedContinuation<Answer, any Error>) {
        self.model = model
        self.work = work
        self.client = client
        self.arrival = arrival
        self.continuation = continuation
    }

    /// The number of images the job puts in the queue.
    var imageCount: Int {
        switch work {
        case .predict(let images): return images.count
        case .explain, .purpleMask: return 1
        }
    }

    var images: [UploadedImage] {
        switch work {
        case .predict(let images): return images
        case .explain(let image, _), .purpleMask(let image): return [image]
        }
    }

    /// Whether the job can share a forward pass with other prediction jobs.
    var isPrediction: Bool {
        if case .predict = work { return true }
        return false
    }

    func finish(_ result: Result<Answer, any Error>) {
        continuation.resume(with: result)
    }
}
