import ArgumentParser
import Foundation
import LeukemiaServer

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Print the audit log of `leukemia serve`: every prediction it answered.")

    @Option(help: ArgumentHelp("Audit log database.", valueName: "FILE"))
    var db = AuditLog.defaultFileName

    @Option(help: ArgumentHelp("Only predictions at or after this ISO 8601 time (e.g. 2025-01-31 or 2025-01-31T09:30:00Z).",
                               valueName: "TIME"))
    var since: String?

    @Option(help: "Most records printed.")
    var limit = 100_000

    @Option(help: "Output format: csv or json.")
    var format: AuditLogFormat = .csv

    func run() throws {
        let text = try reportingErrors { () -> String in
            guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no audit log at \(db)") }
            let log = try AuditLog(url: URL(fileURLWithPath: db))
            defer { try? log.close() }
            return try format.render(try log.records(since: since.map(AuditLog.normalizedTime), limit: limit))
        }
        print(text, terminator: "")
    }
}

extension AuditLogFormat: ExpressibleByArgument {}
