import ClassicML
import Foundation

/// The classical model families: hand-crafted features with an SVM or with XGBoost.
public enum ClassicalModelKind: String, CaseIterable, Codable, Sendable {
    case svm
    case xgboost

    /// The model's file inside a run directory.
    var modelFileName: String {
        switch self {
        case .svm: return "model.libsvm"
        case .xgboost: return "model.xgboost.json"
        }
    }

    /// Loads a trained model of this family.
    func loadModel(from url: URL) throws -> any ProbabilisticClassifier {
        switch self {
        case .svm: return try SVMClassifier.load(from: url)
        case .xgboost: return try XGBoostClassifier.load(from: url)
        }
    }
}
