import Evaluation
import Foundation

/// How `leukemia log` prints audit records.
public enum AuditLogFormat: String, CaseIterable, Sendable {
    /// One row per prediction, with a header row (RFC 4180, as `ReportTable.csv`); probabilities
    /// and sets as JSON text.
    case csv
    /// A JSON array of records (the objects of `GET /v1/predictions`).
    case json

    public func render(_ records: [AuditRecord]) throws -> String {
        switch self {
        case .csv:
            let header = AuditRecord.CodingKeys.allColumns.map(\.stringValue)
            let rows = records.map { record in
                [record.id.map(String.init) ?? "", record.time, record.client, record.model, record.weightsSHA256,
                 record.imageName, record.imageSHA256, record.probabilities, record.predictedClass, record.costOptimalClass,
                 String(record.expectedCost), record.predictionSet ?? "", record.referToPerson.map { $0 ? "true" : "false" } ?? "",
                 record.outOfDistribution ?? ""]
            }
            return ReportTable(header: header, rows: rows).csv
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return String(decoding: try encoder.encode(records), as: UTF8.self) + "\n"
        }
    }
}
