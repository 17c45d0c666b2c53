import Foundation

/// The peak resident memory of this process.
public enum PeakMemory {
    /// Kibibytes: `VmHWM` of /proc/self/status on Linux (reset by exec, so a child's figure is its
    /// own), else `ru_maxrss` of getrusage.
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
}
