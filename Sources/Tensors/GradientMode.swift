#if canImport(Glibc)
import Glibc
#endif

/// Whether operations on the current thread record their backward pass.
///
/// Recording is on by default. Inside `Tensor.withoutGradients { ... }` nothing is recorded:
/// outputs carry no gradient node, no backward closure is created and therefore no
/// intermediate buffer is kept alive. The flag is per thread, so a data-loading or evaluation
/// thread does not affect a training thread. Backward passes run with recording off.
enum GradientMode {
    /// A per-thread nesting depth of `withoutGradients`, stored as the key's pointer value.
    private static let depthKey: pthread_key_t = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, nil) == 0 else { fatalError("Tensor: cannot create a thread-local key") }
        return key
    }()

    private static var depth: Int {
        get { Int(bitPattern: pthread_getspecific(depthKey)) }
        set { pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// True unless the current thread is inside `withoutGradients`.
    static var isRecording: Bool { depth == 0 }

    /// Runs `body` with recording off on this thread.
    static func withoutRecording<Result>(_ body: () throws -> Result) rethrows -> Result {
        depth += 1
        defer { depth -= 1 }
        return try body()
    }
}

extension Tensor {
    /// Runs `body` without recording gradients (inference, evaluation, optimizer updates).
    ///
    /// Operations inside record nothing and keep no intermediate buffers; tensors made inside
    /// do not require gradients. Calls nest.
    public static func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
        try GradientMode.withoutRecording(body)
    }

    /// Whether operations on this thread currently record their backward pass.
    public static var isRecordingGradients: Bool { GradientMode.isRecording }
}
