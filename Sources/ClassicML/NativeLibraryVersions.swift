import CLibSVM
import CXGBoost

/// Versions of the native model libraries in use, recorded in each run's config.
public enum NativeLibraryVersions {
    public static var all: [String: String] {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        return ["libsvm": "\(libsvm_version)", "xgboost": "\(major).\(minor).\(patch)"]
    }
}
