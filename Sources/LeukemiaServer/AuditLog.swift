import Foundation
import GRDB

/// The append-only record of every prediction the service answered, in an SQLite database
/// (write-ahead log; each batch is committed with `synchronous = FULL` before its requests are
/// answered, so a killed server loses no acknowledged prediction).
public final class AuditLog: Sendable {
    /// The default database file (in the working folder) of `leukemia serve` and `leukemia log`.
    public static let defaultFileName = "leukemia-audit.sqlite"

    private let pool: DatabasePool

    /// Opens (or creates) the log at `url`.
    /// - Throws: `DatabaseError` when the file cannot be opened or is not such a log.
    public init(url: URL) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.label = "leukemia.audit"
        pool = try DatabasePool(path: url.path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: AuditRecord.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("time", .text).notNull().indexed()
                table.column("client", .text).notNull()
                table.column("model", .text).notNull()
                table.column("weights_sha256", .text).notNull()
                table.column("image_name", .text).notNull()
                table.column("image_sha256", .text).notNull()
                table.column("probabilities", .text).notNull()
                table.column("predicted_class", .text).notNull()
                table.column("cost_optimal_class", .text).notNull()
                table.column("expected_cost", .double).notNull()
                table.column("prediction_set", .text)
                table.column("refer_to_person", .boolean)
                table.column("out_of_distribution", .text)
            }
        }
        try migrator.migrate(pool)
    }

    /// Appends `records` in one transaction, durable when this returns.
    public func append(_ records: [AuditRecord]) throws {
        guard !records.isEmpty else { return }
        try pool.write { db in
            for record in records { try record.insert(db) }
        }
    }

    /// The records made at or after `since` (an ISO 8601 time, or nil for all), oldest first, at most `limit`.
    public func records(since: String? = nil, limit: Int = 1000) throws -> [AuditRecord] {
        try pool.read { db in
            var request = AuditRecord.all()
            if let since { request = request.filter(AuditRecord.CodingKeys.time >= since) }
            return try request.order(AuditRecord.CodingKeys.id).limit(limit).fetchAll(db)
        }
    }

    /// Checkpoints the write-ahead log and closes the database.
    public func close() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }

    /// `text` (an ISO 8601 date or time, with or without fractional seconds and offset) as the
    /// log writes times, so that it compares with them as text.
    /// - Throws: `APIError` 400 for anything else.
    public static func normalizedTime(_ text: String) throws -> String {
        let styles: [Date.ISO8601FormatStyle] = [
            .init(includingFractionalSeconds: true), .init(),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for style in styles {
            if let date = try? style.parse(text) { return AuditRecord.timestamp(date) }
        }
        throw APIError(.badRequest, "bad_time", "'\(text)' is not an ISO 8601 time such as 2025-01-31 or 2025-01-31T09:30:00Z")
    }
}
