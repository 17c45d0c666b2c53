internal import CDNNL

/// Copies activations from one `ActivationFormat` to another (oneDNN reorder), e.g. NHWC into the
/// channel-blocked format at the start of a chain of Winograd convolutions and back at its end.
struct ActivationReorderKernel: Sendable {
    /// Logical sizes of the activations.
    let batch: Int, height: Int, width: Int, channels: Int
    /// The formats read and written.
    let source: ActivationFormat, destination: ActivationFormat

    /// Validates the sizes; throws a `DNNLError` naming the reorder if one is not positive.
    init(batch: Int, height: Int, width: Int, channels: Int, from source: ActivationFormat,
         to destination: ActivationFormat) throws {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        self.source = source
        self.destination = destination
        if batch < 1 || height < 1 || width < 1 || channels < 1 {
            throw DNNLError(primitive: name, cause: .invalidGeometry("sizes must be positive"))
        }
    }

    private var name: String { "reorder \(source) -> \(destination) \(batch)x\(channels)x\(height)x\(width)" }

    /// Floats of the output buffer.
    var outputCount: Int { destination.elementCount(batch: batch, height: height, width: width, channels: channels) }

    /// Writes `input` (in `source`) into `output` (in `destination`), padding channels with zeros.
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.withShared { context in
            let key = PrimitiveKey(kind: "activation reorder",
                                   parameters: [batch, height, width, channels, source.rawValue, destination.rawValue])
            let primitive = try context.cache.plan(key) {
                try DNNLPrimitive(reorderFrom: source.descriptor(batch: batch, height: height, width: width,
                                                                 channels: channels, primitive: name),
                                  to: destination.descriptor(batch: batch, height: height, width: width,
                                                             channels: channels, primitive: name),
                                  context: context, name: name)
            }
            try primitive.execute([DNNLArgument(DNNL_ARG_FROM, input), DNNLArgument(DNNL_ARG_TO, output)], context: context)
        }
    }
}
