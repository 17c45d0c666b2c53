internal import CDNNL
import Dispatch

/// The passes of a convolution, each a separate oneDNN primitive.
package enum ConvolutionPass: Int, Sendable, CaseIterable {
    case forwardTraining, forwardInference, backwardData, backwardWeights

    /// E.g. "backward weights".
    package var label: String {
        switch self {
        case .forwardTraining: return "forward"
        case .forwardInference: return "forward inference"
        case .backwardData: return "backward data"
        case .backwardWeights: return "backward weights"
        }
    }
}

/// The formats of the caller's input and output activation buffers of a forward pass (backward
/// passes always take NHWC).
struct ConvolutionFormats: Hashable {
    var input: ActivationFormat
    var output: ActivationFormat

    static let nhwc = ConvolutionFormats(input: .nhwc, output: .nhwc)
}

/// The shared machinery of `Convolution2DKernel` and `TransposedConvolution2DKernel`: memory
/// descriptors in the caller's layouts (NHWC activations, PyTorch weights), primitive creation with
/// oneDNN-chosen weight layouts, caching, and execution.
struct ConvolutionPrimitives: Sendable {
    let transposed: Bool
    private(set) var geometry: Convolution2DGeometry
    let outputPadding: (y: Int, x: Int)
    let outputHeight: Int
    let outputWidth: Int
    private(set) var activationLayout: ConvolutionActivationLayout
    /// The algorithm every pass asks oneDNN for first (direct when oneDNN has no Winograd kernel).
    let algorithm: ConvolutionAlgorithm
    /// The algorithm the caller forced (nil: the static choice).
    private let requestedAlgorithm: ConvolutionAlgorithm?

    /// What the primitives read their activations, weights and output gradients in (they always
    /// write FP32): `ComputePrecision.current` when the kernel was made, except that depthwise
    /// convolutions stay FP32. They do a few operations per value they read, so converting their
    /// inputs costs more than bf16 saves: EfficientNet-Lite0's bf16 training step ran at 27.0
    /// images/s with them in bf16 (FP32: 34.9) and at 41.6 with them in FP32 (FP32: 35.8)
    /// (`training-benchmark --no-python`, batch 16, AMD EPYC Zen 4, 2026-12-05).
    let precision: ComputePrecision
    /// What the backward pass keeps of the forward input: bf16 when the kernel was made under
    /// `ComputePrecision.bf16`, depthwise kernels included (they compute in FP32 and get the copy
    /// back as FP32 values, `BFloat16Copy.restore`), so that the network's largest activations (the
    /// expanded ones EfficientNet's depthwise layers read) stay alive at 2 bytes a value, not 4.
    let savedInputElementType: KernelElementType

    /// - Parameters:
    ///   - algorithm: nil for `ConvolutionAlgorithm.staticChoice` (always direct when transposed).
    ///   - precision: throws when it is not supported on this CPU (`ComputePrecision.unsupportedReason`).
    init(transposed: Bool, geometry: Convolution2DGeometry, outputPadding: (y: Int, x: Int),
         activationLayout: ConvolutionActivationLayout, algorithm: ConvolutionAlgorithm? = nil,
         precision: ComputePrecision = ComputePrecision.current) throws {
        self.transposed = transposed
        self.precision = DepthwiseBackwardWeights.handles(geometry) ? .fp32 : precision
        savedInputElementType = precision.inputElementType
        self.geometry = geometry
        self.outputPadding = outputPadding
        self.activationLayout = activationLayout
        let name = (transposed ? "transposed convolution " : "convolution ") + geometry.shortDescription
        if let reason = geometry.invalidReason { throw DNNLError(primitive: name, cause: .invalidGeometry(reason)) }
        try precision.checkSupported(primitive: name)
        if algorithm == .winograd && (transposed || !ConvolutionAlgorithm.winogradSupports(geometry)) {
            throw DNNLError(primitive: name, cause: .invalidGeometry(
                "Winograd needs a 3x3 convolution with stride 1, dilation 1, one group and padding of at most 1"))
        }
        self.algorithm = transposed ? .direct : algorithm ?? ConvolutionAlgorithm.staticChoice(for: geometry)
        requestedAlgorithm = algorithm
        let window = geometry.window
        if transposed {
            outputHeight = (geometry.inputHeight - 1) * window.strideY - window.padding.top - window.padding.bottom
                + window.extent.height + outputPadding.y
            outputWidth = (geometry.inputWidth - 1) * window.strideX - window.padding.left - window.padding.right
                + window.extent.width + outputPadding.x
        } else {
            (outputHeight, outputWidth) = window.outputSize(inputHeight: geometry.inputHeight, inputWidth: geometry.inputWidth)
        }
        if outputPadding.y < 0 || outputPadding.x < 0
            || (outputPadding.y >= window.strideY && outputPadding.y >= window.dilationY)
            || (outputPadding.x >= window.strideX && outputPadding.x >= window.dilationX) {
            throw DNNLError(primitive: name, cause: .invalidGeometry(
                "output padding \(outputPadding.y)x\(outputPadding.x) must be smaller than the stride or the dilation"))
        }
        if outputHeight < 1 || outputWidth < 1 {
            throw DNNLError(primitive: name, cause: .invalidGeometry(
                "output would be \(outputHeight)x\(outputWidth) for input \(geometry.inputHeight)x\(geometry.inputWidth)"))
        }
    }

    var operationName: String { transposed ? "transposed convolution" : "convolution" }

    /// E.g. "convolution backward data 3x3 ...", with " in bf16" under `ComputePrecision.bf16`.
    func name(_ pass: ConvolutionPass) -> String {
        "\(operationName) \(pass.label) \(geometry.shortDescription)" + (precision == .fp32 ? "" : " in \(precision.rawValue)")
    }

    /// Number of output activations.
    var outputCount: Int { geometry.batch * outputHeight * outputWidth * geometry.outputChannels }

    // MARK: Memory descriptors

    private var sourceDims: [Int] { [geometry.batch, geometry.inputChannels, geometry.inputHeight, geometry.inputWidth] }
    private var destinationDims: [Int] { [geometry.batch, geometry.outputChannels, outputHeight, outputWidth] }

    /// oneDNN's logical weight dims ([G,] O/G, I/G, kH, kW) and the tag of PyTorch's memory order:
    /// convolution [O, I/G, kH, kW]; transposed convolution [I, O/G, kH, kW].
    private var weights: (dims: [Int], tag: dnnl_format_tag_t) {
        let g = geometry.groups, window = geometry.window
        let perGroup = [geometry.outputChannels / g, geometry.inputChannels / g, window.kernelHeight, window.kernelWidth]
        if g == 1 { return (perGroup, transposed ? dnnl_iohw : dnnl_oihw) }
        return ([g] + perGroup, transposed ? dnnl_giohw : dnnl_goihw)
    }

    /// The activation layout the primitive is created with: a direct convolution computes in the
    /// caller's format when input and output share one (NHWC, or the channel-blocked chain of an
    /// inference network, so that no reorder surrounds it); oneDNN chooses for Winograd, for the
    /// `primitivePreferred`/`fastest` layouts on NHWC buffers and between two formats (e.g. an NHWC
    /// image into a blocked chain, which oneDNN has no direct kernel for), and the caller's buffers
    /// are then reordered around the call.
    private func activationTag(_ algorithm: ConvolutionAlgorithm, _ formats: ConvolutionFormats) -> dnnl_format_tag_t {
        guard algorithm == .direct, formats.input == formats.output, activationLayout == .nhwc || formats != .nhwc else {
            return dnnl_format_tag_any
        }
        return formats.input.tag
    }

    /// The caller's buffers: FP32, but for the activation operands of `pass` (its input or output
    /// gradient), which are of type `operands` (`ConvolutionOperand`), and the input gradient that
    /// backward data writes, of type `gradInput`.
    private func userDescriptors(_ name: String, _ pass: ConvolutionPass, _ formats: ConvolutionFormats,
                                 operands: KernelElementType, gradInput: KernelElementType)
        throws -> (source: MemoryDescriptor, weights: MemoryDescriptor, destination: MemoryDescriptor) {
        (try MemoryDescriptor.make(sourceDims, formats.input.tag, elementType: pass == .backwardData ? gradInput : operands,
                                   primitive: name),
         try MemoryDescriptor.make(weights.dims, weights.tag, primitive: name),
         try MemoryDescriptor.make(destinationDims, formats.output.tag,
                                   elementType: pass == .backwardData || pass == .backwardWeights ? operands : .float32,
                                   primitive: name))
    }

    // MARK: Primitives

    private func key(_ pass: ConvolutionPass, postOps: ConvolutionPostOps, formats: ConvolutionFormats,
                     operands: KernelElementType, gradInput: KernelElementType) -> PrimitiveKey {
        PrimitiveKey(kind: transposed ? "deconvolution" : "convolution",
                     parameters: geometry.keyParameters + [outputPadding.y, outputPadding.x, pass.rawValue,
                                                           activationLayout.rawValue, postOps.keyParameter,
                                                           algorithm.rawValue, formats.input.rawValue, formats.output.rawValue,
                                                           precision.inputElementType.rawValue, operands.rawValue,
                                                           gradInput.rawValue])
    }

    /// The cached plan for `pass` on caller buffers in `formats`, created on first use (call only
    /// under the context lock). A Winograd plan falls back to direct where oneDNN has no Winograd
    /// kernel (e.g. on CPUs without AVX-512). `operands` is the caller's type of the pass's
    /// activation operands (`ConvolutionOperand.elementType`), `gradInput` that of the input
    /// gradient backward data writes (bf16 only where the kernel computes in bf16).
    func plan(_ pass: ConvolutionPass, postOps: ConvolutionPostOps = .none, formats: ConvolutionFormats = .nhwc,
              operands: KernelElementType = .float32, gradInput: KernelElementType = .float32,
              context: DNNLContext) throws -> PrimitivePlan {
        precondition(gradInput == .float32 || (pass == .backwardData && precision == .bf16),
                     "\(name(pass)): only a bf16 backward-data pass writes a bf16 input gradient")
        return try context.cache.plan(key(pass, postOps: postOps, formats: formats, operands: operands, gradInput: gradInput)) {
            if algorithm == .winograd {
                do {
                    return try makePlan(pass, postOps: postOps, formats: formats, operands: operands, gradInput: gradInput,
                                        algorithm: .winograd, context: context)
                } catch let error as DNNLError where error.isUnimplemented {
                    // no Winograd kernel for this pass here: direct below
                }
            }
            if activationLayout == .fastest && formats == .nhwc && !postOps.addsResidual {
                return try fastestPlan(pass, postOps: postOps, operands: operands, gradInput: gradInput, context: context)
            }
            return try makePlan(pass, postOps: postOps, formats: formats, operands: operands, gradInput: gradInput,
                                algorithm: .direct, context: context)
        }
    }

    /// A new plan for `pass` with `algorithm` (no caching, no fallback).
    private func makePlan(_ pass: ConvolutionPass, postOps: ConvolutionPostOps, formats: ConvolutionFormats,
                          operands: KernelElementType, gradInput: KernelElementType,
                          algorithm: ConvolutionAlgorithm, context: DNNLContext) throws -> PrimitivePlan {
        let name = self.name(pass)
        let activationTag = self.activationTag(algorithm, formats)
        // What each argument holds: the pass reads its inputs in `precision` and writes FP32 (the
        // source is the input gradient of backward data, in `gradInput`; the weights are the
        // output of backward weights).
        let reduced = precision.inputElementType
        let source = try MemoryDescriptor.make(sourceDims, activationTag, elementType: pass == .backwardData ? gradInput : reduced,
                                               primitive: name)
        let weightsAny = try MemoryDescriptor.make(weights.dims, dnnl_format_tag_any,
                                                   elementType: pass == .backwardWeights ? .float32 : reduced, primitive: name)
        let bias = geometry.hasBias ? try MemoryDescriptor.make([geometry.outputChannels], dnnl_x, primitive: name)
                                    : MemoryDescriptor.none
        let destination = try MemoryDescriptor.make(destinationDims, activationTag,
                                                    elementType: pass == .forwardTraining || pass == .forwardInference ? .float32 : reduced,
                                                    primitive: name)
        let window = geometry.window
        let strides = window.dnnlStrides, dilations = window.dnnlDilations, paddingBegin = window.dnnlPaddingBegin
        let paddingEnd = transposed ? [window.dnnlPaddingEnd[0] - Int64(outputPadding.y),
                                       window.dnnlPaddingEnd[1] - Int64(outputPadding.x)] : window.dnnlPaddingEnd
        let dnnlAlgorithm = transposed ? dnnl_deconvolution_direct : algorithm.dnnlAlgorithm
        let user = try userDescriptors(name, pass, formats, operands: operands, gradInput: gradInput)
        let primitive: DNNLPrimitive
        let userLayouts: [Int32: (descriptor: MemoryDescriptor, isOutput: Bool)]
        switch pass {
        case .forwardTraining, .forwardInference:
            let createForward = transposed ? dnnl_deconvolution_forward_primitive_desc_create
                                           : dnnl_convolution_forward_primitive_desc_create
            let call: StaticString = transposed ? "dnnl_deconvolution_forward_primitive_desc_create"
                                                : "dnnl_convolution_forward_primitive_desc_create"
            let propagation = pass == .forwardTraining ? dnnl_forward_training : dnnl_forward_inference
            primitive = try DNNLPrimitive(postOps: postOps.dnnlPostOps(outputDescriptor: user.destination), context: context,
                                          name: name, call: call) {
                createForward(&$0, context.engine, propagation, dnnlAlgorithm, source.handle, weightsAny.handle, bias.handle,
                              destination.handle, strides, dilations, paddingBegin, paddingEnd, $1)
            }
            userLayouts = [DNNL_ARG_SRC: (user.source, false), DNNL_ARG_WEIGHTS: (user.weights, false),
                           DNNL_ARG_DST: (user.destination, true)]
        case .backwardData:
            let createBackwardData = transposed ? dnnl_deconvolution_backward_data_primitive_desc_create
                                                : dnnl_convolution_backward_data_primitive_desc_create
            let call: StaticString = transposed ? "dnnl_deconvolution_backward_data_primitive_desc_create"
                                                : "dnnl_convolution_backward_data_primitive_desc_create"
            let hint = try plan(.forwardTraining, operands: operands, context: context).primitive
            primitive = try DNNLPrimitive(context: context, name: name, call: call) {
                createBackwardData(&$0, context.engine, dnnlAlgorithm, source.handle, weightsAny.handle, destination.handle,
                                   strides, dilations, paddingBegin, paddingEnd, hint.descriptor, $1)
            }
            userLayouts = [DNNL_ARG_DIFF_DST: (user.destination, false), DNNL_ARG_WEIGHTS: (user.weights, false),
                           DNNL_ARG_DIFF_SRC: (user.source, true)]
        case .backwardWeights:
            let createBackwardWeights = transposed ? dnnl_deconvolution_backward_weights_primitive_desc_create
                                                   : dnnl_convolution_backward_weights_primitive_desc_create
            let call: StaticString = transposed ? "dnnl_deconvolution_backward_weights_primitive_desc_create"
                                                : "dnnl_convolution_backward_weights_primitive_desc_create"
            let hint = try plan(.forwardTraining, operands: operands, context: context).primitive
            primitive = try DNNLPrimitive(context: context, name: name, call: call) {
                createBackwardWeights(&$0, context.engine, dnnlAlgorithm, source.handle, weightsAny.handle, bias.handle,
                                      destination.handle, strides, dilations, paddingBegin, paddingEnd, hint.descriptor, $1)
            }
            userLayouts = [DNNL_ARG_SRC: (user.source, false), DNNL_ARG_DIFF_DST: (user.destination, false),
                           DNNL_ARG_DIFF_WEIGHTS: (user.weights, true)]
        }
        return try PrimitivePlan(primitive: primitive, userLayouts: userLayouts, context: context)
    }

    /// The faster of the NHWC and the oneDNN-preferred plan for `pass`, timed on zeroed scratch buffers.
    private func fastestPlan(_ pass: ConvolutionPass, postOps: ConvolutionPostOps, operands: KernelElementType,
                             gradInput: KernelElementType, context: DNNLContext) throws -> PrimitivePlan {
        var buffers: [AlignedBuffer] = []
        func zeroed(_ count: Int) -> UnsafeMutableRawPointer {
            let buffer = AlignedBuffer(byteCount: count * MemoryLayout<Float>.stride)
            buffer.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.byteCount)
            buffers.append(buffer)
            return buffer.pointer
        }
        let (input, weights, output) = (zeroed(geometry.inputCount), zeroed(geometry.weightCount), zeroed(outputCount))
        let bias = geometry.hasBias ? zeroed(geometry.outputChannels) : nil
        var arguments: [PlanArgument]
        switch pass {
        case .forwardTraining, .forwardInference:
            arguments = [.input(DNNL_ARG_SRC, input), .weights(DNNL_ARG_WEIGHTS, weights, nil), .output(DNNL_ARG_DST, output)]
            if let bias { arguments.append(.input(DNNL_ARG_BIAS, bias)) }
        case .backwardData:
            arguments = [.input(DNNL_ARG_DIFF_DST, output), .weights(DNNL_ARG_WEIGHTS, weights, nil),
                         .output(DNNL_ARG_DIFF_SRC, input)]
        case .backwardWeights:
            arguments = [.input(DNNL_ARG_SRC, input), .input(DNNL_ARG_DIFF_DST, output),
                         .output(DNNL_ARG_DIFF_WEIGHTS, weights)]
            if let bias { arguments.append(.output(DNNL_ARG_DIFF_BIAS, bias)) }
        }
        let candidates = try [ConvolutionActivationLayout.nhwc, .primitivePreferred].map { layout in
            var candidate = self
            candidate.activationLayout = layout
            let plan = try candidate.makePlan(pass, postOps: postOps, formats: .nhwc, operands: operands, gradInput: gradInput,
                                              algorithm: .direct, context: context)
            try plan.run(arguments, context: context)  // warm-up: first touch, caches
            return plan
        }
        // Alternate the candidates so that load from other processes hits both alike; keep each one's best.
        var seconds = [Double](repeating: .infinity, count: candidates.count)
        for _ in 0..<3 {
            for (index, plan) in candidates.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                try plan.run(arguments, context: context)
                seconds[index] = min(seconds[index], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        withExtendedLifetime(buffers) {}  // the scratch buffers must outlive every run above
        return seconds[1] < seconds[0] ? candidates[1] : candidates[0]
    }

    private func checkBias(_ bias: UnsafeRawPointer?, _ pass: ConvolutionPass) throws {
        if geometry.hasBias != (bias != nil) {
            throw DNNLError(primitive: name(pass), cause: .invalidGeometry(
                geometry.hasBias ? "the geometry has a bias but no bias buffer was given"
                                 : "a bias buffer was given but the geometry has no bias"))
        }
    }

    // MARK: Execution

    /// Images per oneDNN call: the whole batch, except for Winograd on large images, whose
    /// transformed tiles and channel-blocked copies grow with the batch (16 images of 128 channels at
    /// 112x112 needed 1156 MiB against PyTorch's 933), so it runs in sub-batches of at most
    /// `ConvolutionAlgorithm.winogradPixelsPerCall` input pixels.
    var imagesPerCall: Int {
        guard algorithm == .winograd else { return geometry.batch }
        let pixels = geometry.inputHeight * geometry.inputWidth
        return min(geometry.batch, max(1, ConvolutionAlgorithm.winogradPixelsPerCall / pixels))
    }

    /// The primitives of each sub-batch (see `imagesPerCall`) with the index of its first image.
    private var subBatches: [(primitives: ConvolutionPrimitives, firstImage: Int)] {
        let step = imagesPerCall
        return stride(from: 0, to: geometry.batch, by: step).map { first in
            var part = self
            part.geometry.batch = min(step, geometry.batch - first)
            return (part, first)
        }
    }

    /// Floats of one image's input and output activations in `formats`.
    private func imageSizes(_ formats: ConvolutionFormats) -> (input: Int, output: Int) {
        (formats.input.elementCount(batch: 1, height: geometry.inputHeight, width: geometry.inputWidth,
                                    channels: geometry.inputChannels),
         formats.output.elementCount(batch: 1, height: outputHeight, width: outputWidth, channels: geometry.outputChannels))
    }

    /// `activation` and a `residual` (in the output's format, added before it) run as oneDNN post-ops.
    func forward(_ pass: ConvolutionPass, activation: Activation? = nil, formats: ConvolutionFormats = .nhwc,
                 input: UnsafePointer<Float>, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
                 bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                 output: UnsafeMutablePointer<Float>) throws {
        try forward(pass, activation: activation, formats: formats, input: .float32(input), weights: weights,
                    weightsVersion: weightsVersion, bias: bias, residual: residual, output: output)
    }

    /// The same on an input of either element type (`ConvolutionOperand`).
    func forward(_ pass: ConvolutionPass, activation: Activation? = nil, formats: ConvolutionFormats = .nhwc,
                 input: ConvolutionOperand, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
                 bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                 output: UnsafeMutablePointer<Float>) throws {
        try checkBias(bias, pass)
        if pass == .forwardInference, formats == .nhwc, case .float32(let values) = input,
           usesEngineWinograd, WinogradConvolution.supports(activation) {
            try DNNLContext.withShared { context in
                try engineWinograd(context).run(input: values, weights: weights, weightsVersion: weightsVersion, bias: bias,
                                                residual: residual, activation: activation, output: output, context: context)
            }
            return
        }
        let postOps = ConvolutionPostOps(addsResidual: residual != nil, activation: activation)
        let image = imageSizes(formats)
        for (part, first) in subBatches {
            try DNNLContext.withShared { context in
                var arguments: [PlanArgument] = [.input(DNNL_ARG_SRC, input.advanced(by: first * image.input)),
                                                 .weights(DNNL_ARG_WEIGHTS, weights, weightsVersion),
                                                 .output(DNNL_ARG_DST, output + first * image.output)]
                if let bias { arguments.append(.input(DNNL_ARG_BIAS, bias)) }
                if let residual { arguments.append(.input(ConvolutionPostOps.residualArgument, residual + first * image.output)) }
                try part.plan(pass, postOps: postOps, formats: formats, operands: input.elementType, context: context)
                    .run(arguments, context: context)
            }
        }
    }

    /// Whether the inference forward pass on NHWC FP32 buffers runs the engine's own Winograd kernel
    /// (`WinogradConvolution`): where oneDNN has none (`ConvolutionAlgorithm.winogradIsAvailable`
    /// false), for the geometries it handles, unless the caller asked for direct convolution.
    /// VGG16 inference, batch 16, AMD EPYC Zen 4, oneDNN 3.2: see `WinogradConvolution`.
    var usesEngineWinograd: Bool {
        !transposed && precision == .fp32 && requestedAlgorithm != .direct && !ConvolutionAlgorithm.winogradIsAvailable
            && WinogradConvolution.handles(geometry)
    }

    /// The cached `WinogradConvolution` of this geometry (call under the context lock).
    private func engineWinograd(_ context: DNNLContext) throws -> WinogradConvolution {
        try context.cache.plan(PrimitiveKey(kind: "engine winograd 4x3", parameters: geometry.keyParameters)) {
            try WinogradConvolution(geometry, outputHeight: outputHeight, outputWidth: outputWidth,
                                    name: name(.forwardInference), context: context)
        }
    }

    func backwardData(gradOutput: ConvolutionOperand, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
                      gradInput: UnsafeMutablePointer<Float>) throws {
        try backwardData(gradOutput: gradOutput, weights: weights, weightsVersion: weightsVersion,
                         gradInput: UnsafeMutableRawPointer(gradInput), of: .float32)
    }

    /// The same writing the input gradient as bf16 (a kernel that computes in bf16; its accumulation
    /// is FP32, rounded once), for a reader that takes bf16 (`batchNormConv2d`).
    func backwardData(gradOutput: ConvolutionOperand, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
                      gradInput: BFloat16Copy) throws {
        precondition(gradInput.count == geometry.inputCount, "\(name(.backwardData)): \(gradInput.count) values for the input gradient")
        try backwardData(gradOutput: gradOutput, weights: weights, weightsVersion: weightsVersion,
                         gradInput: gradInput.mutablePointer, of: .bfloat16)
    }

    private func backwardData(gradOutput: ConvolutionOperand, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
                              gradInput: UnsafeMutableRawPointer, of gradInputType: KernelElementType) throws {
        let image = imageSizes(.nhwc), bytes = gradInputType == .float32 ? MemoryLayout<Float>.stride : MemoryLayout<UInt16>.stride
        for (part, first) in subBatches {
            try DNNLContext.withShared { context in
                try part.plan(.backwardData, operands: gradOutput.elementType, gradInput: gradInputType, context: context).run(
                    [.input(DNNL_ARG_DIFF_DST, gradOutput.advanced(by: first * image.output)),
                     .weights(DNNL_ARG_WEIGHTS, weights, weightsVersion),
                     .output(DNNL_ARG_DIFF_SRC, gradInput + first * image.input * bytes)], context: context)
            }
        }
    }

    /// Sub-batches after the first write their gradients to a scratch buffer that is then added.
    /// `input` and `gradOutput` are of one element type.
    func backwardWeights(input: ConvolutionOperand, gradOutput: ConvolutionOperand,
                         gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?) throws {
        try checkBias(gradBias, .backwardWeights)
        precondition(input.elementType == gradOutput.elementType, "a convolution's backward weights reads one element type")
        if !transposed && DepthwiseBackwardWeights.handles(geometry) {
            guard case .float32(let input) = input, case .float32(let gradOutput) = gradOutput else {
                preconditionFailure("depthwise convolutions compute in FP32 (see `precision`)")
            }
            KernelProfile.measure("convolution backward_weights depthwise (Swift)") {
                DepthwiseBackwardWeights.run(geometry, outputHeight: outputHeight, outputWidth: outputWidth, input: input,
                                             gradOutput: gradOutput, gradWeights: gradWeights, gradBias: gradBias)
            }
            return
        }
        if !transposed && PointwiseBackwardWeights.handles(geometry) {
            try PointwiseBackwardWeights.run(geometry, input: input, gradOutput: gradOutput, gradWeights: gradWeights,
                                             gradBias: gradBias, precision: precision)
            return
        }
        let image = imageSizes(.nhwc), parts = subBatches
        let weightCount = geometry.weightCount, biasCount = gradBias == nil ? 0 : geometry.outputChannels
        let partial = parts.count > 1 ? AlignedBuffer(byteCount: (weightCount + biasCount) * MemoryLayout<Float>.stride) : nil
        try withExtendedLifetime(partial) {
            for (part, first) in parts {
                let weightsTarget = first == 0 ? gradWeights : partial!.pointer.assumingMemoryBound(to: Float.self)
                let biasTarget = gradBias.map { first == 0 ? $0 : weightsTarget + weightCount }
                try DNNLContext.withShared { context in
                    var arguments: [PlanArgument] = [.input(DNNL_ARG_SRC, input.advanced(by: first * image.input)),
                                                     .input(DNNL_ARG_DIFF_DST, gradOutput.advanced(by: first * image.output)),
                                                     .output(DNNL_ARG_DIFF_WEIGHTS, weightsTarget)]
                    if let biasTarget { arguments.append(.output(DNNL_ARG_DIFF_BIAS, biasTarget)) }
                    try part.plan(.backwardWeights, operands: input.elementType, context: context).run(arguments, context: context)
                }
                guard first > 0 else { continue }
                for index in 0..<weightCount { gradWeights[index] += weightsTarget[index] }
                if let gradBias, let biasTarget { for index in 0..<biasCount { gradBias[index] += biasTarget[index] } }
            }
        }
    }

    /// The implementation that runs `pass` (e.g. "brgconv:avx512_core", or "swift depthwise"): that of
    /// the plan training uses, which reads its operands in `precision` (bf16 copies under bf16).
    func implementation(_ pass: ConvolutionPass) throws -> String {
        if pass == .backwardWeights && !transposed && DepthwiseBackwardWeights.handles(geometry) { return "swift depthwise" }
        if pass == .backwardWeights && !transposed && PointwiseBackwardWeights.handles(geometry) {
            return precision == .bf16 ? "bf16 matmul pointwise" : "sgemm pointwise"
        }
        if pass == .forwardInference && usesEngineWinograd {
            return try DNNLContext.withShared { try engineWinograd($0).implementation }
        }
        return try DNNLContext.withShared {
            try subBatches[0].primitives.plan(pass, operands: precision.inputElementType, context: $0).primitive.implementation
        }
    }
}
