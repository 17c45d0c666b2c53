import Foundation

/// Structural check of a libsvm model file before `svm_load_model` reads it.
///
/// libsvm 3.24 trusts the file: a truncated support-vector section makes it re-parse stale
/// lines past its buffers instead of failing. This check requires the header to end with `SV`,
/// exactly `total_sv` support-vector lines after it, each with `nr_class - 1` coefficients and
/// the same dense features `1:v 2:v ... d:v` (as `LibSVMDenseRows` writes them), and a final newline.
/// Returns the feature count `d`; throws `unreadableModelFile` naming the file otherwise.
func checkLibSVMModelFile(at url: URL) throws -> Int {
    func corrupt(_ reason: String) -> ClassicMLError { .unreadableModelFile(path: url.path, reason: reason) }
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw corrupt(error.localizedDescription) }
    guard let text = String(data: data, encoding: .utf8), text.hasSuffix("\n") else {
        throw corrupt("not a complete libsvm model text")
    }
    let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
    guard let headerEnd = lines.firstIndex(of: "SV") else { throw corrupt("no SV section") }
    var header: [Substring: [Substring]] = [:]
    for line in lines[..<headerEnd] {
        let fields = line.split(separator: " ")
        if let key = fields.first { header[key] = Array(fields.dropFirst()) }
    }
    guard let classCount = header["nr_class"]?.first.flatMap({ Int($0) }), classCount >= 2,
          let vectorCount = header["total_sv"]?.first.flatMap({ Int($0) }), vectorCount >= 1 else {
        throw corrupt("missing or invalid nr_class / total_sv")
    }
    let vectors = lines[(headerEnd + 1)...]
    guard vectors.count == vectorCount else {
        throw corrupt("the header announces \(vectorCount) support vectors, the file holds \(vectors.count)")
    }
    var featureCount: Int?
    for (offset, line) in vectors.enumerated() {
        let fields = line.split(separator: " ")
        let coefficients = fields.prefix(classCount - 1)
        let features = fields.dropFirst(classCount - 1)
        let denseFeatures = features.enumerated().allSatisfy { position, field in
            let parts = field.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 && Int(parts[0]) == position + 1 && Double(parts[1])?.isFinite == true
        }
        guard coefficients.count == classCount - 1, coefficients.allSatisfy({ Double($0)?.isFinite == true }),
              denseFeatures, !features.isEmpty, features.count == (featureCount ?? features.count) else {
            throw corrupt("support vector \(offset) is malformed")
        }
        featureCount = features.count
    }
    return featureCount ?? 0
}
