import Foundation
import XCTest

/// Runs the built `leukemia` executable and captures what it prints.
struct CommandRunner {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `leukemia` binary built next to the test bundle.
    static var executable: URL {
        let productsDirectory = Bundle.main.bundleURL
        return productsDirectory.appendingPathComponent("leukemia")
    }

    /// Runs the executable with `arguments`; `environment` changes this process's environment for
    /// it (a nil value removes the variable).
    static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil,
                    environment: [String: String?] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            var changed = ProcessInfo.processInfo.environment
            for (name, value) in environment { changed[name] = value }
            process.environment = changed
        }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        // Feed standard input from another thread, so that a full pipe cannot block either side.
        let writer = Thread {
            if let input { standardInput.fileHandleForWriting.write(input) }
            try? standardInput.fileHandleForWriting.close()
        }
        writer.start()
        // Read before waiting, so that a full pipe cannot block the child.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       standardOutput: String(decoding: outData, as: UTF8.self),
                       standardError: String(decoding: errData, as: UTF8.self))
    }
}
