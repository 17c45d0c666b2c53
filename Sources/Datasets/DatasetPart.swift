/// The part of a split an image belongs to.
public enum DatasetPart: String, Codable, CaseIterable, Sendable {
    case train, validation, test
}
