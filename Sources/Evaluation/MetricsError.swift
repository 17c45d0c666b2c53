import ToolkitSupport
/// Why classification metrics cannot be computed.
public enum MetricsError: DescribedError, Equatable {
    case empty
    case countMismatch(what: String, found: Int, expected: Int)
    case labelOutOfRange(sample: Int, label: Int, classCount: Int)
    case probabilityRow(sample: Int, found: Int, expected: Int)
    case nonFiniteProbability(sample: Int)
    /// A positive class outside 0..<2, or one given for a class count other than 2.
    case positiveClass(Int, classCount: Int)
    /// An evaluation's `predictions.json` that cannot be read.
    case unreadablePredictions(path: String, reason: String)
    /// A statistical setting outside its range (a miscoverage level, a confidence level, a count).
    case parameterOutOfRange(name: String, value: Double, expected: String)
    /// A resampled statistic that is not finite on the full sample, or on every resample.
    case undefinedStatistic(where: String)

    public var description: String {
        switch self {
        case .empty:
            return "no images to evaluate"
        case let .countMismatch(what, found, expected):
            return "found \(found) \(what), expected \(expected)"
        case let .labelOutOfRange(sample, label, classCount):
            return "label \(label) of image \(sample) is outside 0..<\(classCount)"
        case let .probabilityRow(sample, found, expected):
            return "image \(sample) has \(found) class probabilities, expected \(expected)"
        case let .nonFiniteProbability(sample):
            return "image \(sample) has a non-finite class probability"
        case let .positiveClass(index, classCount):
            return classCount == 2 ? "positive class \(index) is outside 0..<2"
                : "a positive class (\(index)) applies to two classes only, not \(classCount)"
        case let .unreadablePredictions(path, reason):
            return "cannot read per-image predictions \(path): \(reason)"
        case let .parameterOutOfRange(name, value, expected):
            return "\(name) \(value) is outside its range: expected \(expected)"
        case let .undefinedStatistic(place):
            return "the statistic is not finite \(place)"
        }
    }
}
