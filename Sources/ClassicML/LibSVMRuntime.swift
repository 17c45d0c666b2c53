import CLibSVM
import Foundation

/// Process-wide libsvm state: its console output, the C `rand()` stream used by probability
/// training, and the C locale that model files are read and written under.
enum LibSVMRuntime {
    /// Silences libsvm's progress output on stdout; evaluated once, before any training.
    static let silenceOutput: Void = svm_set_print_string_function { _ in }

    /// Serializes probability training: libsvm's internal cross-validation for Platt scaling
    /// shuffles with the C library's global `rand()`, which we seed with `srand` just before
    /// `svm_train`. Two such trainings running at once would interleave the stream and lose
    /// reproducibility, so they hold this lock (and nothing else in the process should call
    /// `rand()` meanwhile).
    static let probabilityTrainingLock = NSLock()

    /// Serializes `svm_save_model` and `svm_load_model`, which switch the process-wide C locale
    /// (`setlocale`) while they format or parse numbers.
    static let modelFileLock = NSLock()
}
