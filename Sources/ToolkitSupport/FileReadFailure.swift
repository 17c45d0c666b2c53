import Foundation

/// Why a file could not be read, in words a person understands: Foundation's own errors name an
/// error domain and number ("NSCocoaErrorDomain error 256"), which no user should see.
package enum FileReadFailure {
    /// The reason reading `url` failed with `error`: a folder where a file was expected, a missing
    /// file, no permission, or else the error's own text without its domain.
    package static func reason(_ url: URL, _ error: Error) -> String {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "it is a folder, not a file" }
            if !manager.isReadableFile(atPath: url.path) { return "permission denied" }
        } else if (try? manager.destinationOfSymbolicLink(atPath: url.path)) != nil {
            return "a symbolic link to a file that does not exist"
        } else {
            return "no such file"
        }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.domain == NSCocoaErrorDomain ? "cannot be read (\(nsError.localizedFailureReason ?? "unknown reason"))"
            : error.localizedDescription
    }
}

/// The first line of a native library's error message without its `[hh:mm:ss] file.cc:line: `
/// prefix (XGBoost writes such messages, with a source excerpt on the following lines).
package func nativeLibraryMessage(_ message: String) -> String {
    var line = String(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    if line.hasPrefix("["), let close = line.firstIndex(of: "]") { line = String(line[line.index(after: close)...]) }
    let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    if parts.count == 3, parts[0].contains("."), Int(parts[1]) != nil { line = String(parts[2]) }
    return line.trimmingCharacters(in: .whitespaces)
}
