/// The toolkit's version, recorded in every run directory.
public enum ToolkitVersion {
    public static let current = "0.1.0"
}
