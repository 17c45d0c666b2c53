import Foundation
import Evaluation
import Imaging
import LeukemiaKit
import Reporting

extension ComparisonReport {
    /// The side of gallery thumbnails and overlays, in pixels.
    static let thumbnailSide = 160

    /// The HTML page: the tables, the figures of every model, the gallery, the split and the commands.
    func page(log: (String) -> Void) throws -> ReportPage {
        var page = ReportPage(title: title)
        page.append(.paragraph(imagesSentence))
        for sentence in methodSentences { page.append(.paragraph(sentence)) }
        page.append(.heading("Scores", level: 2))
        page.append(.table(studyTable))
        if let foldTable { page.append(.table(foldTable)) }
        if !summary.paired.isEmpty {
            page.append(.heading("Paired comparisons", level: 2))
            page.append(.paragraph("Each model against the best (\(summary.bestModel)) on the same images: McNemar's exact test "
                                   + "on the images only one of the two gets right, and the paired-bootstrap \(level) % interval of the "
                                   + "difference in total cost. A p-value below \(String(format: "%.2f", 1 - summary.bootstrap.level)) or an "
                                   + "interval excluding 0 marks a difference that resampling noise does not explain."))
            page.append(.table(pairedTable))
        }
        page.append(.heading("Calibration and prediction sets", level: 2))
        page.append(.table(calibrationTable))
        var together = Figure.riskCoverage(summary.models.map { model in
            (model.name, model.riskCoverage.points.map { ($0.coverage, $0.accuracy) })
        }, title: "All models: accuracy of the decided images against coverage")
        together.name = "risk-coverage-all"
        page.append(.figures([together], caption: "Risk–coverage: the least confident images are referred to a person; "
                             + "coverage is the share decided."))
        page.append(.heading("Costs", level: 2))
        page.append(.table(costTable))

        for (model, summaryOfModel) in zip(models, summary.models) {
            page.append(.heading("Model: \(model.source.name)", level: 2))
            page.append(.paragraph(modelSentence(summaryOfModel)))
            page.append(.figures(figures(of: model, summaryOfModel), caption: "\(model.source.name): confusion matrices, ROC curves, "
                                 + "reliability (15 bins), risk–coverage" + (model.isCNN ? ", training curves" : "")))
            page.append(.table(riskCoverageTable(summaryOfModel)))
        }

        page.append(.heading("Misclassified images", level: 2))
        let limit = max(1, request.galleryLimit / max(1, models.count))
        for (model, summaryOfModel) in zip(models, summary.models) {
            let (cards, total) = try gallery(of: model, limit: limit, log: log)
            page.append(.heading("\(model.source.name): \(total) misclassified", level: 3))
            if total > cards.count {
                page.append(.paragraph("Showing the \(cards.count) most costly errors of \(total) (the page shows at most "
                                       + "\(request.galleryLimit) images over all models); comparison.json and each run's "
                                       + "evaluation list every image."))
            }
            if cards.isEmpty { page.append(.paragraph("No misclassified image.")) } else { page.append(.gallery(cards)) }
            _ = summaryOfModel
        }

        page.append(.heading("Split, seeds and versions", level: 2))
        for table in splitTables { page.append(.table(table)) }
        page.append(.table(versionTable))
        page.append(.reproduce(commands: commands))
        return page
    }

    private func modelSentence(_ model: ModelSummary) -> String {
        var parts = ["\(model.model) (\(model.kind == "cnn" ? "CNN" : "classical"))",
                     model.runs.count > 1 ? "\(model.runs.count) fold runs pooled" : "run \(model.path)",
                     String(format: "accuracy %.4f, total cost %.1f", model.metrics.accuracy, model.metrics.totalCost)]
        if !model.skipped.isEmpty { parts.append("\(model.skipped.count) unreadable images skipped") }
        return parts.joined(separator: "; ") + "."
    }

    /// Confusion matrices (counts and row-normalized), ROC curves, the reliability diagram, the
    /// risk–coverage curve and, for CNNs, the training curves (the first fold's for a cross-validation).
    private func figures(of model: ScoredModel, _ summary: ModelSummary) -> [Figure] {
        let name = model.source.name, metrics = model.metrics, names = metrics.classNames
        let labels = model.scored.labels, probabilities = model.scored.probabilities
        var figures = [
            Figure.confusionHeatmap(classNames: names, counts: metrics.confusionMatrix, normalized: false),
            Figure.confusionHeatmap(classNames: names, counts: metrics.confusionMatrix, normalized: true),
            Figure.rocCurves(names.indices.map { c in
                (names[c], ClassificationMetrics.rocCurve(scores: probabilities.map { $0[c] }, positives: labels.map { $0 == c }),
                 metrics.rocAUC[c])
            }),
            Figure.reliabilityDiagram(bins: model.calibration.bins.map {
                ($0.lowerEdge, $0.upperEdge, $0.count, $0.meanConfidence ?? 0, $0.accuracy ?? 0)
            }, ece: model.calibration.expectedCalibrationError),
            Figure.riskCoverage([(name, summary.riskCoverage.points.map { ($0.coverage, $0.accuracy) })]),
        ]
        if model.isCNN, let epochs = model.runs.first?.epochs, !epochs.isEmpty {
            var curves = TrainingCurves.figure(epochs)
            if model.runs.count > 1 { curves.title += " (fold 1)" }
            figures.append(curves)
        }
        return figures
    }

    /// Cards of the model's misclassified images, the most costly first, at most `limit`, and
    /// the number of misclassified images.
    private func gallery(of model: ScoredModel, limit: Int, log: (String) -> Void) throws -> (cards: [GalleryCard], total: Int) {
        let labels = model.scored.labels, predictions = model.predictions, names = model.scored.classNames
        let wrong = labels.indices.filter { labels[$0] != predictions[$0] }
            .sorted { (cost.values[labels[$0]][predictions[$0]], $1) > (cost.values[labels[$1]][predictions[$1]], $0) }
        var gradCAMRuns: [Int: GradCAMRun?] = [:]
        var cellRuns: [Int: CellAttentionRun?] = [:]
        var cards: [GalleryCard] = []
        for index in wrong.prefix(limit) {
            let file = model.files[index]
            let image: RGBImage
            do {
                image = try ImageDecoder.decode(fileAt: file)
            } catch {
                log("gallery: cannot read \(file.path): \(error)")
                continue
            }
            var overlay: DataURI? = nil
            if model.isCNN, request.gradCAM {
                let runIndex = model.runOfImage[index]
                if gradCAMRuns[runIndex] == nil {
                    gradCAMRuns[runIndex] = .some(try? GradCAMRun.open(model.runs[runIndex].url))
                }
                if let run = gradCAMRuns[runIndex] ?? nil {
                    do {
                        let input = image.resized(toSquare: run.run.inputSize, policy: run.run.resizePolicy)
                        let explanation = try run.gradCAM.explain([input], classIndex: predictions[index])[0]
                        if let map = explanation.maps.first {
                            overlay = try Self.thumbnail(try map.overlay(on: input, opacity: GradCAMRun.overlayOpacity))
                        }
                    } catch {
                        log("gallery: no Grad-CAM for \(file.path): \(error)")
                    }
                }
            }
            var overlayCaption = "right: Grad-CAM of the predicted class"
            if model.configuration.cellAttention != nil, request.gradCAM {
                let runIndex = model.runOfImage[index]
                if cellRuns[runIndex] == nil {
                    cellRuns[runIndex] = .some(try? TrainedRuns.open(model.runs[runIndex].url) as? CellAttentionRun)
                }
                if let run = cellRuns[runIndex] ?? nil {
                    do {
                        let (explanation, drawn) = try CellAttentionExplanation.make(of: image, named: file.path, with: run)
                        overlay = try Self.thumbnail(drawn)
                        overlayCaption = explanation.wholeImage ? "right: no cell found; the whole image decided"
                            : String(format: "right: the %d cells found, boxes coloured by attention (heaviest yellow, weight %.2f)",
                                     explanation.cells.count, explanation.cells.first?.weight ?? 0)
                    } catch {
                        log("gallery: no cell attention for \(file.path): \(error)")
                    }
                }
            }
            let row = model.scored.probabilities[index]
            let probabilities = zip(names, row).map { String(format: "%@ %.3f", $0, $1) }.joined(separator: ", ")
            let decision = (try? cost.costOptimalDecision(probabilities: row)).map { names[$0] } ?? "-"
            let set = model.predictionSets.map { sets in
                String(format: "prediction set (%.0f %%): ", request.coverage * 100) + sets[index].map { names[$0] }.joined(separator: ", ")
            } ?? "prediction set: none (no calibration)"
            var lines = [model.scored.paths[index],
                         "true \(names[labels[index]]), predicted \(names[predictions[index]])",
                         "probabilities: \(probabilities)",
                         "cost of the error: \(Self.number(cost.values[labels[index]][predictions[index]], digits: 1))",
                         "cost-optimal decision: \(decision)", set]
            if overlay != nil { lines.append(overlayCaption) }
            cards.append(GalleryCard(image: try Self.thumbnail(image), alt: model.scored.paths[index], overlay: overlay,
                                     captionLines: lines))
        }
        return (cards, wrong.count)
    }

    /// `image` scaled down to fit `thumbnailSide` (aspect kept), as a JPEG data URI.
    static func thumbnail(_ image: RGBImage) throws -> DataURI {
        let scale = min(1, Double(thumbnailSide) / Double(max(image.width, image.height)))
        let small = scale < 1 ? image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                                              height: max(1, Int((Double(image.height) * scale).rounded()))) : image
        return .jpeg(try ImageEncoder.jpeg(small, quality: 85))
    }
}
