import ArgumentParser
import LeukemiaKit
import ModelZoo

/// The `--model` of `leukemia train`: a classical model or a CNN architecture.
enum ModelChoice: ExpressibleByArgument, Equatable {
    case classical(ClassicalModelKind)
    case cnn(Architecture)

    init?(argument: String) {
        if let kind = ClassicalModelKind(rawValue: argument) {
            self = .classical(kind)
        } else if let architecture = Architecture(rawValue: argument) {
            self = .cnn(architecture)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] {
        ClassicalModelKind.allCases.map(\.rawValue) + Architecture.allCases.map(\.rawValue)
    }

    /// The CNN architecture, or nil for a classical model.
    var architecture: Architecture? {
        if case .cnn(let architecture) = self { return architecture }
        return nil
    }

    /// What `TrainingJob` trains: the classical model, or the CNN with the options of `cnn`.
    func specification(cnn: CNNTrainingArguments, classCount: Int, seed: UInt64) throws -> ModelSpecification {
        switch self {
        case .classical(let kind): return .classical(kind)
        case .cnn(let architecture): return .cnn(try cnn.options(for: architecture, classCount: classCount, seed: seed))
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .classical(let kind): return kind.rawValue
        case .cnn(let architecture): return architecture.rawValue
        }
    }
}

extension Architecture: ExpressibleByArgument {}
extension TransferPolicy: ExpressibleByArgument {}
extension InputNormalization: ExpressibleByArgument {}
extension HybridNetwork.Variant: ExpressibleByArgument {}
extension TestTimeViews: ExpressibleByArgument {}
