import Foundation

extension Figure {
    /// Training curves over epochs in two panels, loss (from 0) and accuracy (0...1): training
    /// solid blue, validation dashed vermillion, the best epoch a black vertical line in each
    /// panel. With `learningRates`, a third panel shows the rate on a log scale (bluish green).
    /// All arrays have one value per epoch (`epochs`, 1-based); non-finite values break a line.
    /// Named "training-curves".
    public static func trainingCurves(epochs: [Int], trainLoss: [Double], validationLoss: [Double], trainAccuracy: [Double],
                                      validationAccuracy: [Double], bestEpoch: Int?, learningRates: [Double]? = nil,
                                      title: String = "Training curves") -> Figure {
        let x = epochs.map(Double.init)
        let epochAxis = Axis.covering("Epoch", x, including: [1], integer: true)
        func series(_ values: [Double], _ color: FigureColor, dashed: Bool = false) -> Mark {
            .line(zip(x, values).map { DataPoint($0, $1) }, color: color, dashed: dashed)
        }
        func best(_ axis: Axis) -> [Mark] {
            bestEpoch.map { [.line([DataPoint(Double($0), axis.range.lowerBound), DataPoint(Double($0), axis.range.upperBound)],
                                   color: bestColor, width: 1.5)] } ?? []
        }
        let train = FigurePalette.categorical(0), validation = FigurePalette.categorical(1)
        let lossAxis = Axis.covering("Loss", trainLoss + validationLoss, including: [0])
        var charts = [
            Chart(title: "Loss", x: epochAxis, y: lossAxis,
                  marks: best(lossAxis) + [series(trainLoss, train), series(validationLoss, validation, dashed: true)]),
            Chart(title: "Accuracy", x: epochAxis, y: .fixed("Accuracy", 0...1),
                  marks: best(.fixed("", 0...1)) + [series(trainAccuracy, train), series(validationAccuracy, validation, dashed: true)]),
        ]
        if let learningRates {
            let rateAxis = Axis.logarithmic("Learning rate", learningRates)
            let bounds = [rateAxis.range.lowerBound, rateAxis.range.upperBound].map { pow(10, $0) }
            let marker = bestEpoch.map { [Mark.line([DataPoint(Double($0), bounds[0]), DataPoint(Double($0), bounds[1])],
                                                    color: bestColor, width: 1.5)] } ?? []
            charts.append(Chart(title: "Learning rate", x: epochAxis, y: rateAxis, marks: marker + [series(learningRates, rateColor)]))
        }
        var legend = [LegendEntry("Training", train), LegendEntry("Validation", validation, .line(dashed: true))]
        if let bestEpoch { legend.append(LegendEntry("Best epoch (\(bestEpoch))", bestColor)) }
        if learningRates != nil { legend.append(LegendEntry("Learning rate", rateColor)) }
        return Figure(name: "training-curves", title: title, width: 360 * charts.count, height: 300, charts: charts, legend: legend)
    }

    /// The best-epoch marker's colour.
    package static let bestColor = FigurePalette.categorical(6)
    /// The learning-rate curve's colour.
    package static let rateColor = FigurePalette.categorical(2)

}
