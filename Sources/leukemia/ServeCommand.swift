import ArgumentParser
import Foundation
import LeukemiaServer
import Tensors

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve trained runs over HTTP: a JSON API and a page for a laboratory.",
        discussion: """
            Routes: GET / (the page), GET /healthz, GET /readyz, GET /metrics, GET /openapi.json, GET /v1/models, \
            POST /v1/models/NAME/predict, POST /v1/models/NAME/explain, GET /v1/predictions?since=TIME. \
            Each run is served under its folder name. Stops on SIGTERM or SIGINT after answering what is queued.
            """,
        subcommands: [Start.self, Keys.self], defaultSubcommand: Start.self)

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Serve runs (the default).")

        @Argument(help: "Run directories written by `leukemia train` (classical or CNN, any class set).")
        var runs: [String]

        @Option(help: "Address to listen on; anything but loopback needs --api-keys (or --insecure).")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on (0: any free port, printed at start).")
        var port = 8080

        @Option(name: .customLong("max-batch"), help: "Most images in one forward pass.")
        var maxBatch = 16

        @Option(name: .customLong("batch-delay-ms"), help: "How long a request waits for others to share its forward pass.")
        var batchDelayMilliseconds = 5.0

        @Option(name: .customLong("max-queue"), help: "Most images waiting for the model; more are answered 503 with Retry-After.")
        var maxQueue = 64

        @Option(name: .customLong("max-upload-mb"), help: "Largest request body, in MB.")
        var maxUploadMegabytes = 20

        @Option(name: .customLong("max-pixels"), help: "Largest image (width x height), checked from its header before decoding.")
        var maxPixels = 40_000_000

        @Option(name: .customLong("api-keys"), help: ArgumentHelp(
            "Keys file (`leukemia serve keys add NAME`); with it every route but /, /healthz and /readyz needs `Authorization: Bearer KEY`.",
            valueName: "FILE"))
        var apiKeys: String?

        @Option(name: .customLong("log-db"), help: ArgumentHelp("Audit log database (SQLite).", valueName: "FILE"))
        var logDatabase = LeukemiaServer.AuditLog.defaultFileName

        @Option(help: "What the CNN runs' convolutions compute in: fp32 or bf16 (needs a CPU with native bf16). Default: each run's.")
        var precision: ComputePrecision?

        @Option(help: ArgumentHelp("Coverage of the prediction sets of runs with a calibration.", valueName: "P"))
        var coverage = 0.95

        @Option(name: .customLong("refer-below"), help: ArgumentHelp(
            "Flag images whose top probability is under P for a person to decide.", valueName: "P"))
        var referBelow = 0.6

        @Flag(help: "Allow a non-loopback --host without --api-keys.")
        var insecure = false

        func run() async throws {
            var configuration = ServerConfiguration(runs: runs.map { URL(fileURLWithPath: $0) })
            configuration.host = host
            configuration.port = port
            configuration.maxBatch = maxBatch
            configuration.batchDelay = .microseconds(Int64((batchDelayMilliseconds * 1000).rounded()))
            configuration.maxQueue = maxQueue
            configuration.maxUploadBytes = maxUploadMegabytes << 20
            configuration.maxPixels = maxPixels
            configuration.apiKeys = apiKeys.map { URL(fileURLWithPath: $0) }
            configuration.logDatabase = URL(fileURLWithPath: logDatabase)
            configuration.coverage = coverage
            configuration.referBelow = referBelow
            configuration.precision = precision
            configuration.insecure = insecure
            let service = try reportingErrors { try LeukemiaService(configuration: configuration) }
            let (host, log, names) = (self.host, logDatabase, service.modelNames.joined(separator: ", "))
            try await service.run { port in
                print("serving \(names) on http://\(host):\(port)/ (audit log \(log))")
                fflush(stdout)
            }
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Add.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a key for a client; prints it once and stores only its SHA-256.")

            @Argument(help: "The client's name (one word), recorded in the audit log with its predictions.")
            var name: String

            @Option(name: .customLong("api-keys"), help: ArgumentHelp("Keys file (created if missing).", valueName: "FILE"))
            var apiKeys = APIKeys.defaultFileName

            func run() throws {
                let key = try reportingErrors { try APIKeys.add(client: name, to: URL(fileURLWithPath: apiKeys)) }
                print(key)
                printError("the key of \(name) is printed above and nowhere stored; its hash is in \(apiKeys)")
            }
        }
    }
}
