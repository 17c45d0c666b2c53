import CXGBoost
import Foundation
import ToolkitSupport

/// Throws `xgboostFailed` with XGBoost's last error message unless a C-API call returned 0.
func checkXGBoost(_ status: Int32, _ function: String) throws {
    guard status == 0 else {
        throw ClassicMLError.xgboostFailed(function: function, message: nativeLibraryMessage(String(cString: XGBGetLastError())))
    }
}

/// Silences XGBoost's global logging; evaluated once, before any booster is made.
let silenceXGBoostOutput: Void = { _ = XGBSetGlobalConfig(#"{"verbosity": 0}"#) }()

/// An owned XGBoost DMatrix over a feature matrix, with optional labels and per-row weights.
final class XGBoostDMatrix {
    let handle: DMatrixHandle

    /// Builds the matrix with `threads` OpenMP threads.
    init(features: FeatureMatrix, labels: [Int]? = nil, weights: [Float]? = nil, threads: Int) throws {
        var created: DMatrixHandle?
        try checkXGBoost(features.values.withUnsafeBufferPointer {
            XGDMatrixCreateFromMat_omp($0.baseAddress, bst_ulong(features.rowCount), bst_ulong(features.columnCount),
                                       Float.nan, &created, Int32(threads))
        }, "XGDMatrixCreateFromMat_omp")
        guard let created else {
            throw ClassicMLError.xgboostFailed(function: "XGDMatrixCreateFromMat_omp", message: "no matrix returned")
        }
        handle = created
        if let labels { try setInfo("label", labels.map(Float.init)) }
        if let weights { try setInfo("weight", weights) }
    }

    private func setInfo(_ field: String, _ values: [Float]) throws {
        try checkXGBoost(XGDMatrixSetFloatInfo(handle, field, values, bst_ulong(values.count)),
                         "XGDMatrixSetFloatInfo(\(field))")
    }

    deinit { XGDMatrixFree(handle) }
}
