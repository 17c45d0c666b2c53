import ClassicML
import Tensors

/// The toolkit's version and the native libraries it runs on, recorded in every run directory.
public enum ToolkitVersion {
    public static let current = "0.1.0"

    /// The native libraries' versions by name: libsvm, XGBoost, oneDNN with the instruction set it
    /// uses on this CPU, and how OpenMP's threads spin ("openmp", see `OpenMPSpinning`).
    public static var libraries: [String: String] {
        NativeLibraryVersions.all.merging(["onednn": "\(OneDNNLibrary.version) (\(OneDNNLibrary.instructionSet))",
                                           "openmp": OpenMPSpinning.setting]) { first, _ in first }
    }

    /// What `leukemia --version` prints: the toolkit's version, then one library per line.
    public static var description: String {
        (["leukemia \(current)"] + libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }).joined(separator: "\n")
    }
}
