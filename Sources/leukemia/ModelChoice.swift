import ArgumentParser
import LeukemiaKit
import ModelZoo

/// The `--model` of `leukemia train`: a classical model, a CNN architecture, or the cell-attention model.
enum ModelChoice: ExpressibleByArgument, Equatable {
    case classical(ClassicalModelKind)
    case cnn(Architecture)
    case cellAttention

    init?(argument: String) {
        if let kind = ClassicalModelKind(rawValue: argument) {
            self = .classical(kind)
        } else if argument == CellAttentionOptions.modelName {
            self = .cellAttention
        } else if let architecture = Architecture(rawValue: argument) {
            self = .cnn(architecture)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] {
        ClassicalModelKind.allCases.map(\.rawValue) + Architecture.allCases.map(\.rawValue) + [CellAttentionOptions.modelName]
    }

    /// The CNN architecture, or nil for a classical model.
    var architecture: Architecture? {
        if case .cnn(let architecture) = self { return architecture }
        return nil
    }

    /// What `TrainingJob` trains: the classical model, the CNN with the options of `cnn`, or the
    /// cell-attention model with those of `cells`.
    func specification(cnn: CNNTrainingArguments, cells: CellAttentionArguments, classCount: Int, seed: UInt64) throws -> ModelSpecification {
        switch self {
        case .classical(let kind): return .classical(kind)
        case .cnn(let architecture): return .cnn(try cnn.options(for: architecture, classCount: classCount, seed: seed))
        case .cellAttention: return .cellAttention(try cells.options(cnn: cnn, classCount: classCount, seed: seed))
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .classical(let kind): return kind.rawValue
        case .cnn(let architecture): return architecture.rawValue
        case .cellAttention: return CellAttentionOptions.modelName
        }
    }
}

extension Architecture: ExpressibleByArgument {}
extension TransferPolicy: ExpressibleByArgument {}
extension InputNormalization: ExpressibleByArgument {}
extension HybridNetwork.Variant: ExpressibleByArgument {}
extension TestTimeViews: ExpressibleByArgument {}
