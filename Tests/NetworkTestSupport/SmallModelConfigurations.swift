import ModelZoo

// Small variants of the model zoo's configurations for tests, built from their public fields
// (they used to live in ModelZoo as public API that only the tests called).

extension VGG.Configuration {
    /// The same layer pattern with every convolution width divided by `widthDivisor` (at least
    /// 1 channel) and the given hidden width and class count.
    public func reduced(widthDivisor: Int, hiddenWidth: Int, classCount: Int) -> VGG.Configuration {
        var copy = self
        copy.items = items.map {
            if case let .convolution(width) = $0 { return .convolution(Swift.max(1, width / Swift.max(1, widthDivisor))) }
            return $0
        }
        copy.hiddenWidth = hiddenWidth
        copy.classCount = classCount
        return copy
    }
}

extension ConvNeXt.Configuration {
    /// Stages of the given widths (each stage downsamples to the next width) and block counts.
    public static func custom(widths: [Int], blockCounts: [Int], stochasticDepthProbability: Float,
                              classCount: Int) -> ConvNeXt.Configuration {
        let stages = widths.indices.map {
            Stage(inputChannels: widths[$0], outputChannels: $0 + 1 < widths.count ? widths[$0 + 1] : nil,
                  blockCount: blockCounts[$0])
        }
        return ConvNeXt.Configuration(stages: stages, stochasticDepthProbability: stochasticDepthProbability,
                                      classCount: classCount)
    }
}
