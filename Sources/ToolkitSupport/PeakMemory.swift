import Foundation

/// The peak resident memory of this process: what a benchmark reports, and what a training
/// records in its run (`RunConfiguration.peakMemoryMiB`).
public enum PeakMemory {
    /// Kibibytes: `VmHWM` of /proc/self/status on Linux (reset by exec, so a child's figure is its
    /// own, and by `reset()`), else `ru_maxrss` of getrusage.
    public static func residentKilobytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = line.split(separator: " ").compactMap({ Int($0) }).first {
            return kilobytes
        }
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss / 1024  // bytes on Darwin
        #endif
    }

    /// Mebibytes, as `residentKilobytes()`.
    public static func residentMebibytes() -> Double { Double(residentKilobytes()) / 1024 }

    /// Starts a new peak at the current resident size (Linux: writes 5 to /proc/self/clear_refs),
    /// so that a later reading is the peak of what came after, e.g. of one training of a study.
    /// Returns false where the peak cannot be reset (other systems, or a kernel that refuses):
    /// a later reading is then the peak of the whole process so far.
    @discardableResult
    public static func reset() -> Bool {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
        #else
        return false
        #endif
    }
}
