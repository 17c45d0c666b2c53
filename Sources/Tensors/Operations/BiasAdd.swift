extension Tensor {
    /// `product + bias` for a layer's output `product [..., n]` and its `bias [n]` (a linear layer's
    /// matrix product and bias), written into `product`'s storage when nothing else holds it (as for
    /// a fresh matrix product): one pass that reads and writes the same memory, where `+` reads the
    /// product and writes a new tensor, one more activation-sized stream (ConvNeXt-Tiny's training
    /// step adds biases to 171 M floats of MLP outputs). Otherwise it is `product + bias`. Either way
    /// the floats are those of `+`, and so are the gradients: the output's for the product, its sums
    /// over the rows for the bias.
    public static func addingBias(_ bias: Tensor, to product: consuming Tensor) -> Tensor {
        let operation = "addingBias"
        let width = product.shape.last ?? 0
        guard product.rank >= 1, bias.shape == [width] else {
            Tensor.fail(.shapeMismatch(operation: operation, lhs: product.shape, rhs: bias.shape))
        }
        guard width > 0, isKnownUniquelyReferenced(&product.storage) else { return product + bias }
        let output = Tensor(shape: product.shape, storage: product.storage)
        let rows = product.scalarCount / width
        KernelProfile.measure(elementwiseProfileCategory) {
            withExtendedLifetime(bias) {
                let values = output.storage.baseAddress, b = bias.storage.baseAddress
                Parallel.forEachChunk(count: rows, costPerItem: width) { range in
                    for row in range {
                        let values = values + row * width
                        for c in 0..<width { values[c] = values[c] + b[c] }
                    }
                }
            }
        }
        let inputs = [product, bias]
        guard shouldRecord(inputs) else { return output }
        let needs = inputs.map(\.requiresGradient)
        return output.recording(operation, inputs: inputs, accumulatingBackward: { gradient, sums in
            if needs[0] { Tensor.accumulate(gradient, into: &sums[0]) }
            if needs[1] { Tensor.accumulate(gradient.summed(toShape: [width]), into: &sums[1]) }
        })
    }
}
