import Foundation

/// The first line of a native library's error message without its `[hh:mm:ss] file.cc:line: `
/// prefix (XGBoost writes such messages, with a source excerpt on the following lines).
package func nativeLibraryMessage(_ message: String) -> String {
    var line = String(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    if line.hasPrefix("["), let close = line.firstIndex(of: "]") { line = String(line[line.index(after: close)...]) }
    let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    if parts.count == 3, parts[0].contains("."), Int(parts[1]) != nil { line = String(parts[2]) }
    return line.trimmingCharacters(in: .whitespaces)
}
