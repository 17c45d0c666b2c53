import Foundation
import GRDB

/// One prediction as the audit log keeps it: when, for whom, by which model and weights, of which
/// image, with the probabilities and the decisions.
public struct AuditRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "prediction"

    /// The row number, increasing with time (nil before the record is stored).
    public var id: Int64?
    /// When the prediction was made, ISO 8601 UTC with milliseconds.
    public var time: String
    /// The API key's client name ("anonymous" without keys).
    public var client: String
    /// The model's run name.
    public var model: String
    public var weightsSHA256: String
    public var imageName: String
    public var imageSHA256: String
    /// Probabilities by class name, as a JSON object.
    public var probabilities: String
    public var predictedClass: String
    public var costOptimalClass: String
    public var expectedCost: Double
    /// The prediction set as a JSON array, or nil.
    public var predictionSet: String?
    public var referToPerson: Bool?
    public var outOfDistribution: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, time, client, model, weightsSHA256 = "weights_sha256", imageName = "image_name", imageSHA256 = "image_sha256"
        case probabilities, predictedClass = "predicted_class", costOptimalClass = "cost_optimal_class"
        case expectedCost = "expected_cost", predictionSet = "prediction_set", referToPerson = "refer_to_person"
        case outOfDistribution = "out_of_distribution"

        /// Every column, in the table's order.
        static let allColumns: [CodingKeys] = [
            .id, .time, .client, .model, .weightsSHA256, .imageName, .imageSHA256, .probabilities, .predictedClass,
            .costOptimalClass, .expectedCost, .predictionSet, .referToPerson, .outOfDistribution,
        ]
    }

    /// The record of `result`, made now by `model` for `client`.
    init(result: ImageResult, client: String, model: ModelDescription, time: Date = Date()) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        id = nil
        self.time = Self.timestamp(time)
        self.client = client
        self.model = model.name
        weightsSHA256 = model.weightsSHA256
        imageName = result.file
        imageSHA256 = result.sha256
        probabilities = String(decoding: (try? encoder.encode(result.probabilities)) ?? Data("{}".utf8), as: UTF8.self)
        predictedClass = result.predictedClass
        costOptimalClass = result.costOptimalClass
        expectedCost = result.expectedCost
        predictionSet = result.predictionSet.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        referToPerson = result.referToPerson
        outOfDistribution = result.outOfDistribution
    }

    /// `date` as the log writes it: ISO 8601, UTC, milliseconds (so that text order is time order).
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
