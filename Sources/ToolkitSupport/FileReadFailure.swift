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
        } else if let target = try? manager.destinationOfSymbolicLink(atPath: url.path) {
            return "a symbolic link to \(target), which does not exist"
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
