import Tensors

/// Access to a non-trainable state tensor of a layer (PyTorch's registered buffer, such as a
/// running mean or a batch counter): saved and loaded with the parameters, never optimized.
///
/// A buffer refers to where its layer keeps the tensor, so reading and writing it reads and
/// writes the layer's state.
public struct Buffer {
    private let read: () -> Tensor
    private let write: (Tensor) -> Void

    /// The tensor at `keyPath` of `owner`.
    public init<Owner: AnyObject>(_ owner: Owner, _ keyPath: ReferenceWritableKeyPath<Owner, Tensor>) {
        read = { owner[keyPath: keyPath] }
        write = { owner[keyPath: keyPath] = $0 }
    }

    /// The current tensor; setting it replaces the layer's state.
    public var value: Tensor {
        get { read() }
        nonmutating set { write(newValue) }
    }
}
