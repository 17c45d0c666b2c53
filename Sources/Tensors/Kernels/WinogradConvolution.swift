internal import CDNNL

/// The engine's own Winograd convolution, F(4x4, 3x3) (Lavin & Gray, 2015), for the inference
/// forward pass of 3x3, stride-1 convolutions on NHWC FP32 activations, where oneDNN has no
/// Winograd kernel (oneDNN 3.2 on every x86 CPU; 2.6 on AVX2-only ones).
///
/// Each 4x4 block ("tile") of output pixels is computed from the 6x6 input patch around it:
/// `Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A`. The sum over input channels `c` is, for each of
/// the 36 positions of the 6x6 transformed patch, a matrix product
/// `M[ξ] (tiles x K) = V[ξ] (tiles x C) · U[ξ] (C x K)`, which oneDNN's batched matmul computes
/// (36 products in one call). The weights `U = G g Gᵀ` (36 x C x K, four times the 3x3 weights) are
/// transformed once per `WeightsVersion`; the input and output transforms run in Swift on 16
/// channels at a time, the tiles split over the cores. That is 36 multiply-adds per input channel
/// and output channel for 16 output pixels, against 144 for direct convolution (4x fewer; output
/// sizes that are not multiples of 4 compute the rest of their last tile for nothing).
///
/// Why it exists: VGG16 inference is 15.5 G multiply-adds an image, almost all in such layers, and
/// oneDNN 3.2's direct kernels already run them at the FP32 peak (7.4 images/s at batch 16 on 2 cores
/// of an AMD EPYC Zen 4, onnxruntime's speed); only fewer multiplications can go faster. With this
/// kernel: 16–18 images/s (`model-benchmark`, 2026-12-06; 1.87x onnxruntime in the same run), of
/// which, per batch, about 0.63 s in the products and 0.33 s in the transforms (`--profile`).
///
/// Rounding: F(4x4, 3x3) transforms multiply by up to 8 and add up to 36 terms, so results differ
/// from direct convolution by a few 1e-6 of the output scale (the tests bound it); the same inputs
/// always give the same outputs.
final class WinogradConvolution {
    /// Output pixels per tile side (m of F(m x m, 3 x 3)).
    static let tileSide = 4
    /// Input patch side per tile (m + 3 - 1), and transformed positions per tile (its square).
    static let patchSide = 6, positions = 36
    /// Channels the transforms handle at once (one 64-byte vector); channel counts must be multiples.
    static let lanes = 16

    /// Whether this kernel computes `geometry`'s inference forward pass: where Winograd pays
    /// (`ConvolutionAlgorithm.winogradPays`: one group, a 3x3 window with stride 1, dilation 1 and padding
    /// of at most 1 per side, at least `winogradMinimumChannels` in and out; below that the transforms
    /// cost more than the multiplications they save, so DenseNet's 128 -> 32 layers stay direct), with
    /// input and output channels that are multiples of `lanes`.
    static func handles(_ geometry: Convolution2DGeometry) -> Bool {
        ConvolutionAlgorithm.winogradPays(for: geometry)
            && geometry.inputChannels % lanes == 0 && geometry.outputChannels % lanes == 0
    }

    /// Bytes the transformed input and output of one block of tiles may take together (`tilesPerBlock`):
    /// a block's three steps then work in the cores' L2 and the shared L3.
    static let blockByteBudget = 8 << 20

    let geometry: Convolution2DGeometry
    let outputHeight: Int, outputWidth: Int
    /// Tiles per image row and column, and in the whole batch.
    let tileRows: Int, tileColumns: Int, tileCount: Int
    /// Tiles transformed and multiplied per step (the matmul's M); the last block is padded with zero tiles.
    let tilesPerBlock: Int
    /// The 36 products of one block: `[36, tilesPerBlock, C] · [36, C, K] -> [36, tilesPerBlock, K]`.
    private let product: DNNLPrimitive
    /// From the plain transformed weights `[36, C, K]` to the layout `product` chose (nil: the same).
    private let weightsReorder: DNNLPrimitive?
    /// The layout `product` reads the transformed weights in.
    private let weightsLayout: MemoryDescriptor

    /// E.g. "convolution forward inference 3x3 s1 p1 16x64x224x224 -> 64 (Winograd F(4x4, 3x3))".
    let name: String

    /// The implementation that runs the pass, as `PrimitiveImplementations` lists it.
    var implementation: String { "swift winograd_4x3 + \(product.implementation)" }

    /// Creates the batched product for `geometry` (which `handles` must accept; call under the context lock).
    /// - Throws: `DNNLError` when oneDNN cannot create the product.
    init(_ geometry: Convolution2DGeometry, outputHeight: Int, outputWidth: Int, name: String, context: DNNLContext) throws {
        precondition(Self.handles(geometry), "WinogradConvolution: unsupported geometry \(geometry.shortDescription)")
        self.geometry = geometry
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.name = name + " (Winograd F(4x4, 3x3))"
        tileRows = (outputHeight + Self.tileSide - 1) / Self.tileSide
        tileColumns = (outputWidth + Self.tileSide - 1) / Self.tileSide
        tileCount = geometry.batch * tileRows * tileColumns
        let c = geometry.inputChannels, k = geometry.outputChannels
        let budgetTiles = Self.blockByteBudget / (Self.positions * (c + k) * MemoryLayout<Float>.stride)
        tilesPerBlock = min(tileCount, max(16, budgetTiles / 16 * 16))
        let t = tilesPerBlock, p = Self.positions
        let source = try MemoryDescriptor.make([p, t, c], dnnl_abc, primitive: self.name)
        let plainWeights = try MemoryDescriptor.make([p, c, k], dnnl_abc, primitive: self.name)
        let anyWeights = try MemoryDescriptor.make([p, c, k], dnnl_format_tag_any, primitive: self.name)
        let destination = try MemoryDescriptor.make([p, t, k], dnnl_abc, primitive: self.name)
        let productName = self.name + ": \(p) products \(t)x\(c) · \(c)x\(k)"
        product = try DNNLPrimitive(context: context, name: productName, call: "dnnl_matmul_primitive_desc_create") {
            dnnl_matmul_primitive_desc_create(&$0, context.engine, source.handle, anyWeights.handle, nil,
                                              destination.handle, $1)
        }
        weightsLayout = try product.memoryDescriptor(DNNL_ARG_WEIGHTS)
        weightsReorder = MemoryDescriptor.equal(plainWeights, weightsLayout) ? nil
            : try DNNLPrimitive(reorderFrom: plainWeights, to: weightsLayout, context: context,
                                name: "reorder for \(productName)")
    }

    /// Computes `output = activation(conv(input, weights) + bias + residual)` (call under the context lock).
    /// `input` is NHWC `[N, H, W, C]`, `weights` PyTorch's `[K, C, 3, 3]`, `bias` `[K]` when the geometry
    /// has one, `residual` and `output` NHWC `[N, outputHeight, outputWidth, K]`.
    /// - Throws: `DNNLError` when oneDNN fails to run the product or the weights reorder.
    func run(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion?,
             bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: Activation?,
             output: UnsafeMutablePointer<Float>, context: DNNLContext) throws {
        let transformedWeights = try self.transformedWeights(weights, version: weightsVersion, context: context)
        let p = Self.positions, t = tilesPerBlock, c = geometry.inputChannels, k = geometry.outputChannels
        let float = MemoryLayout<Float>.stride
        let transformedInput = context.temporary(slot: 0, byteCount: p * t * c * float).assumingMemoryBound(to: Float.self)
        let products = context.temporary(slot: 1, byteCount: p * t * k * float).assumingMemoryBound(to: Float.self)
        try withExtendedLifetime(transformedWeights) {
            for first in stride(from: 0, to: tileCount, by: t) {
                KernelProfile.measure("Winograd input transform (Swift)") {
                    Parallel.forEachChunk(count: t, costPerItem: p * c) { tiles in
                        transformInput(input, firstTile: first, tiles: tiles, into: transformedInput)
                    }
                }
                try product.execute([DNNLArgument(DNNL_ARG_SRC, transformedInput),
                                     DNNLArgument(DNNL_ARG_WEIGHTS, transformedWeights.pointer),
                                     DNNLArgument(DNNL_ARG_DST, products)], context: context)
                let valid = min(t, tileCount - first)
                KernelProfile.measure("Winograd output transform (Swift)") {
                    Parallel.forEachChunk(count: valid, costPerItem: p * k) { tiles in
                        transformOutput(products, firstTile: first, tiles: tiles, bias: bias, residual: residual,
                                        activation: activation, into: output)
                    }
                }
            }
        }
    }

    // MARK: Weights

    /// Transformed weights kept for every `WinogradConvolution` of the process, by weights owner:
    /// the plans of one layer for different batch sizes (a last partial batch, a server's requests)
    /// share one copy when their products read the same layout (oneDNN's choice depends on C and K, not
    /// on the tiles), instead of each keeping its own (VGG16's are 235 MB). A new version of the
    /// weights replaces the owner's copies. Used under the context lock only.
    private final class WeightsStore {
        var entries: [UInt64: [(version: UInt64, source: UnsafeRawPointer, layout: MemoryDescriptor, buffer: AlignedBuffer)]] = [:]

        /// The context's store (in its primitive cache, so `PrimitiveImplementations.reset()` empties it too).
        static func shared(_ context: DNNLContext) throws -> WeightsStore {
            try context.cache.plan(PrimitiveKey(kind: "engine winograd weights", parameters: [])) { WeightsStore() }
        }
    }

    /// How many transformed copies of `owner`'s weights are kept (one per layout and version in use).
    static func keptWeightCopies(of owner: UInt64) throws -> Int {
        try DNNLContext.withShared { try WeightsStore.shared($0).entries[owner]?.count ?? 0 }
    }

    /// `U[ξ][c][k] = (G g_kc Gᵀ)[ξ]` in `product`'s layout, kept per weights owner and version
    /// (`WeightsStore`; transformed anew on every call without a version).
    private func transformedWeights(_ weights: UnsafePointer<Float>, version: WeightsVersion?,
                                    context: DNNLContext) throws -> AlignedBuffer {
        let store = try WeightsStore.shared(context)
        if let version, let entry = store.entries[version.owner]?.first(where: {
            $0.version == version.version && $0.source == UnsafeRawPointer(weights) && MemoryDescriptor.equal($0.layout, weightsLayout)
        }) {
            return entry.buffer
        }
        let c = geometry.inputChannels, k = geometry.outputChannels
        let plain = AlignedBuffer(byteCount: Self.positions * c * k * MemoryLayout<Float>.stride)
        Self.transformWeights(weights, inputChannels: c, outputChannels: k,
                              into: plain.pointer.assumingMemoryBound(to: Float.self))
        var result = plain
        if let weightsReorder {
            result = AlignedBuffer(byteCount: product.byteCount(DNNL_ARG_WEIGHTS))
            try weightsReorder.execute([DNNLArgument(DNNL_ARG_FROM, plain.pointer), DNNLArgument(DNNL_ARG_TO, result.pointer)],
                                       context: context)
        }
        if let version {
            let current = (store.entries[version.owner] ?? []).filter { $0.version == version.version && $0.source == UnsafeRawPointer(weights) }
            store.entries[version.owner] = current + [(version.version, UnsafeRawPointer(weights), weightsLayout, result)]
        }
        return result
    }

    /// G (6x3) of F(4x4, 3x3), row-major.
    private static let g: [Float] = [1.0 / 4, 0, 0,
                                     -1.0 / 6, -1.0 / 6, -1.0 / 6,
                                     -1.0 / 6, 1.0 / 6, -1.0 / 6,
                                     1.0 / 24, 1.0 / 12, 1.0 / 6,
                                     1.0 / 24, -1.0 / 12, 1.0 / 6,
                                     0, 0, 1]

    /// Writes `U[ξ][c][k]`, row-major `[36, C, K]`, from PyTorch's `[K, C, 3, 3]`.
    static func transformWeights(_ weights: UnsafePointer<Float>, inputChannels c: Int, outputChannels k: Int,
                                 into u: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(count: k, costPerItem: c * 200) { outputs in
            var left = [Float](repeating: 0, count: 18)  // G g (6x3)
            for output in outputs {
                for input in 0..<c {
                    let filter = weights + (output * c + input) * 9
                    for row in 0..<6 {
                        for column in 0..<3 {
                            left[row * 3 + column] = g[row * 3] * filter[column] + g[row * 3 + 1] * filter[3 + column]
                                + g[row * 3 + 2] * filter[6 + column]
                        }
                    }
                    for row in 0..<6 {
                        for column in 0..<6 {  // (G g) Gᵀ
                            let value = left[row * 3] * g[column * 3] + left[row * 3 + 1] * g[column * 3 + 1]
                                + left[row * 3 + 2] * g[column * 3 + 2]
                            u[((row * 6 + column) * c + input) * k + output] = value
                        }
                    }
                }
            }
        }
    }

    // MARK: Input and output transforms

    private typealias Vector = SIMD16<Float>

    /// Bᵀ applied to one column of six values (the same rows of Bᵀ as Lavin & Gray's F(4x4, 3x3)).
    @inline(__always)
    private static func inputRows(_ d0: Vector, _ d1: Vector, _ d2: Vector, _ d3: Vector, _ d4: Vector, _ d5: Vector)
        -> (Vector, Vector, Vector, Vector, Vector, Vector) {
        let four: Float = 4, five: Float = 5, two: Float = 2
        let a = d4 - four * d2, b = d3 - four * d1, e = d4 - d2, f = two * (d3 - d1)
        return (four * d0 - five * d2 + d4, a + b, a - b, e + f, e - f, four * d1 - five * d3 + d5)
    }

    /// Aᵀ applied to one column of six values.
    @inline(__always)
    private static func outputRows(_ m0: Vector, _ m1: Vector, _ m2: Vector, _ m3: Vector, _ m4: Vector, _ m5: Vector)
        -> (Vector, Vector, Vector, Vector) {
        let sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4
        let two: Float = 2, four: Float = 4, eight: Float = 8
        return (m0 + sum12 + sum34, difference12 + two * difference34, sum12 + four * sum34,
                difference12 + eight * difference34 + m5)
    }

    /// The tile's batch index and the input row and column of its patch's top-left corner.
    @inline(__always)
    private func tileOrigin(_ tile: Int) -> (image: Int, row: Int, column: Int) {
        let perImage = tileRows * tileColumns, inImage = tile % perImage
        return (tile / perImage, inImage / tileColumns * Self.tileSide, inImage % tileColumns * Self.tileSide)
    }

    /// `V[ξ][i][c]` for the block's tiles `tiles` (block-local indices; tile `firstTile + i` of the
    /// batch, or zeros past the last tile).
    private func transformInput(_ input: UnsafePointer<Float>, firstTile: Int, tiles: Range<Int>,
                                into v: UnsafeMutablePointer<Float>) {
        let c = geometry.inputChannels, height = geometry.inputHeight, width = geometry.inputWidth
        let top = geometry.window.padding.top, left = geometry.window.padding.left
        let positionStride = tilesPerBlock * c
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: Self.positions) { rows in
            for local in tiles {
                let target = v + local * c
                guard firstTile + local < tileCount else {
                    for position in 0..<Self.positions { (target + position * positionStride).update(repeating: 0, count: c) }
                    continue
                }
                let origin = tileOrigin(firstTile + local)
                let image = input + origin.image * height * width * c
                for channel in stride(from: 0, to: c, by: Self.lanes) {
                    // Bᵀ d: each column s of the patch through the six rows of Bᵀ.
                    for s in 0..<Self.patchSide {
                        let x = origin.column - left + s
                        func load(_ r: Int) -> Vector {
                            let y = origin.row - top + r
                            guard y >= 0, y < height, x >= 0, x < width else { return Vector() }
                            return UnsafeRawPointer(image + (y * width + x) * c + channel).loadUnaligned(as: Vector.self)
                        }
                        let t = Self.inputRows(load(0), load(1), load(2), load(3), load(4), load(5))
                        rows[s] = t.0; rows[6 + s] = t.1; rows[12 + s] = t.2
                        rows[18 + s] = t.3; rows[24 + s] = t.4; rows[30 + s] = t.5
                    }
                    // (Bᵀ d) B: each row through the same six combinations.
                    for r in 0..<Self.patchSide {
                        let row = r * 6
                        let t = Self.inputRows(rows[row], rows[row + 1], rows[row + 2], rows[row + 3], rows[row + 4],
                                               rows[row + 5])
                        let base = target + row * positionStride + channel
                        func store(_ s: Int, _ value: Vector) {
                            UnsafeMutableRawPointer(base + s * positionStride).storeBytes(of: value, as: Vector.self)
                        }
                        store(0, t.0); store(1, t.1); store(2, t.2); store(3, t.3); store(4, t.4); store(5, t.5)
                    }
                }
            }
        }
    }

    /// The block's output pixels from `M[ξ][i][k]`, with bias, residual and activation, for tiles `tiles`.
    private func transformOutput(_ m: UnsafePointer<Float>, firstTile: Int, tiles: Range<Int>, bias: UnsafePointer<Float>?,
                                 residual: UnsafePointer<Float>?, activation: Activation?,
                                 into output: UnsafeMutablePointer<Float>) {
        let k = geometry.outputChannels, positionStride = tilesPerBlock * k
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: 4 * Self.patchSide) { columns in
            for local in tiles {
                let origin = tileOrigin(firstTile + local)
                let imageOffset = origin.image * outputHeight * outputWidth * k
                let source = m + local * k
                for channel in stride(from: 0, to: k, by: Self.lanes) {
                    func load(_ position: Int) -> Vector {
                        UnsafeRawPointer(source + position * positionStride + channel).loadUnaligned(as: Vector.self)
                    }
                    // Aᵀ m: each column s through the four rows of Aᵀ.
                    for s in 0..<Self.patchSide {
                        let o = Self.outputRows(load(s), load(6 + s), load(12 + s), load(18 + s), load(24 + s), load(30 + s))
                        columns[s] = o.0; columns[6 + s] = o.1; columns[12 + s] = o.2; columns[18 + s] = o.3
                    }
                    let biasVector = bias.map { UnsafeRawPointer($0 + channel).loadUnaligned(as: Vector.self) } ?? Vector()
                    for i in 0..<Self.tileSide {
                        let y = origin.row + i
                        guard y < outputHeight else { break }
                        let row = i * 6
                        let o = Self.outputRows(columns[row], columns[row + 1], columns[row + 2], columns[row + 3],
                                                columns[row + 4], columns[row + 5])
                        let columnsLeft = outputWidth - origin.column
                        func emit(_ j: Int, _ sum: Vector) {
                            guard j < columnsLeft else { return }
                            let offset = imageOffset + (y * outputWidth + origin.column + j) * k + channel
                            var value = sum + biasVector
                            if let residual { value += UnsafeRawPointer(residual + offset).loadUnaligned(as: Vector.self) }
                            switch activation {
                            case .relu?: value = value.replacing(with: 0, where: value .< 0)
                            case .relu6?: value = value.clamped(lowerBound: Vector(repeating: 0), upperBound: Vector(repeating: 6))
                            case nil: break
                            case let other?: preconditionFailure("WinogradConvolution: \(other) is not fused here (see supports(_:))")
                            }
                            UnsafeMutableRawPointer(output + offset).storeBytes(of: value, as: Vector.self)
                        }
                        emit(0, o.0); emit(1, o.1); emit(2, o.2); emit(3, o.3)
                    }
                }
            }
        }
    }

    /// Whether the activation can be fused here (the clamps, ReLU and ReLU6; the others stay with oneDNN).
    static func supports(_ activation: Activation?) -> Bool { activation.map { $0.clampUpperBound != nil } ?? true }
}
