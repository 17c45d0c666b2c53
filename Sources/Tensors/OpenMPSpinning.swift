import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How long oneDNN's OpenMP threads spin before they sleep, set for the toolkit's own processes.
///
/// After each oneDNN primitive, libgomp's threads spin-wait for the next parallel region (300,000
/// spins by default when there are no more threads than cores). On two cores that spinning competes
/// with the engine's Swift kernels, which run on Dispatch threads: `perf` of EfficientNet-Lite0's
/// training step put 14 % of its samples in libgomp's spin loop. `GOMP_SPINCOUNT=10000` made that
/// step 12 % faster and DenseNet-201's 6 % (`training-benchmark --no-python`, batch 16, AMD EPYC
/// Zen 4, oneDNN 3.2, 2026-12-05); `OMP_WAIT_POLICY=PASSIVE` (no spinning) cost DenseNet-201 40 %.
///
/// libgomp reads its environment in a constructor, when the library loads and before `main`, so a
/// process cannot change the setting for itself: `applyToThisProcess()` re-executes the program
/// once with the variable set, and the re-executed process removes it again from its environment,
/// so that the programs it starts (PyTorch in a benchmark, a Python reference) keep their own
/// defaults. A user's own `GOMP_SPINCOUNT` or `OMP_WAIT_POLICY` is left alone.
public enum OpenMPSpinning {
    /// The spin count the toolkit's executables run with.
    public static let toolkitSpinCount = 10_000

    /// Marks a process that `applyToThisProcess()` re-executed (so it does not do it again).
    static let markerVariable = "LEUKEMIA_GOMP_SPINCOUNT_SET"

    /// Call first thing in an executable's `main`: re-executes the program (same arguments, same
    /// process id) with `GOMP_SPINCOUNT=toolkitSpinCount` unless the user set `GOMP_SPINCOUNT` or
    /// `OMP_WAIT_POLICY`; in the re-executed process it removes the variable from the environment
    /// passed on to child processes. If the re-execution fails, the program simply continues with
    /// libgomp's default.
    public static func applyToThisProcess() {
        let environment = ProcessInfo.processInfo.environment
        if environment[markerVariable] != nil {
            unsetenv(markerVariable)
            unsetenv("GOMP_SPINCOUNT")
            appliedSetting = "GOMP_SPINCOUNT=\(environment["GOMP_SPINCOUNT"] ?? "?") (set by the toolkit)"
            return
        }
        guard environment["GOMP_SPINCOUNT"] == nil, environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("GOMP_SPINCOUNT", "\(toolkitSpinCount)", 1)
        setenv(markerVariable, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: run on with libgomp's default.
        unsetenv("GOMP_SPINCOUNT")
        unsetenv(markerVariable)
    }

    /// What libgomp's threads run with in this process, recorded with the library versions:
    /// "GOMP_SPINCOUNT=10000 (set by the toolkit)", the user's `GOMP_SPINCOUNT` or
    /// `OMP_WAIT_POLICY` "(from the environment)", or "libgomp's default" (a process that did not
    /// call `applyToThisProcess()`, such as a test bundle, or a failed re-execution).
    public static var setting: String {
        if let appliedSetting { return appliedSetting }
        let environment = ProcessInfo.processInfo.environment
        let given = ["GOMP_SPINCOUNT", "OMP_WAIT_POLICY"].compactMap { name in environment[name].map { "\(name)=\($0)" } }
        return given.isEmpty ? "libgomp's default" : given.joined(separator: ", ") + " (from the environment)"
    }

    /// Written once, by `applyToThisProcess()` at the start of `main`, before any other thread runs.
    nonisolated(unsafe) private static var appliedSetting: String?
}
