import Dispatch
import Foundation
import Imaging

/// Hand-crafted measurements of a blood-smear image for the classical models (SVM, XGBoost):
/// colour histograms, grey-level statistics, edge strength, and the shapes of dark (stained)
/// regions and of purple regions.
///
/// Images are first resized to `inputSize` x `inputSize` (unless already that size), so that
/// areas and perimeters are in pixels of that size. The vector has `featureNames.count` (65)
/// values, always finite:
/// - `r_hist_0...15`, `g_hist_*`, `b_hist_*`: 16-bin histograms per channel (bin = byte / 16),
///   each summing to 1;
/// - grey level (BT.601 luma in 0...1): `gray_variance` (contrast, population variance),
///   `gray_skewness`, `gray_excess_kurtosis` (kurtosis - 3), `gray_mean`, `gray_std`, `gray_max`,
///   `gray_min`; skewness and kurtosis are 0 when the variance is 0;
/// - `sobel_mean`, `sobel_std`: Sobel gradient magnitude over interior pixels (see
///   `GrayImage.sobelMagnitude()`);
/// - dark regions: pixels darker than Otsu's threshold of the grey image, 8-connected, regions
///   smaller than `minimumRegionArea` ignored: `dark_region_count`, `dark_region_mean_area`,
///   `dark_region_mean_perimeter`, `dark_region_mean_circularity` (see `ImageRegion`);
/// - purple regions from `purpleRange`: `purple_fraction` (share of all pixels, small regions
///   included), `purple_region_count`, `purple_region_mean_area`, `purple_region_mean_circularity`.
/// Means over regions are 0 when there is no region; a constant grey image has no dark region.
public struct HandcraftedFeatureExtractor: Sendable {
    /// The colours counted as purple (stained nuclei).
    public let purpleRange: HSVRange
    /// The side of the square images measured.
    public let inputSize: Int
    /// Regions with fewer pixels are not counted (noise, debris).
    public let minimumRegionArea: Int

    static let histogramBins = 16

    /// An extractor measuring images at `inputSize` x `inputSize`, counting regions of at least
    /// `minimumRegionArea` pixels (the default 30 drops specks; a cell nucleus at 224 px is hundreds).
    public init(purpleRange: HSVRange, inputSize: Int = 224, minimumRegionArea: Int = 30) {
        self.purpleRange = purpleRange
        self.inputSize = inputSize
        self.minimumRegionArea = minimumRegionArea
    }

    /// The name of each feature, in the order of `features(of:)`.
    public var featureNames: [String] {
        let histograms = ["r", "g", "b"].flatMap { channel in
            (0..<Self.histogramBins).map { "\(channel)_hist_\($0)" }
        }
        return histograms + [
            "gray_variance", "gray_skewness", "gray_excess_kurtosis", "gray_mean", "gray_std", "gray_max", "gray_min",
            "sobel_mean", "sobel_std",
            "dark_region_count", "dark_region_mean_area", "dark_region_mean_perimeter", "dark_region_mean_circularity",
            "purple_fraction", "purple_region_count", "purple_region_mean_area", "purple_region_mean_circularity",
        ]
    }

    /// The features of `image` (resized to `inputSize` x `inputSize` first if needed).
    public func features(of image: RGBImage) -> [Float] {
        let image = image.resized(width: inputSize, height: inputSize)
        var features = ColorHistogram.normalized(image, bins: Self.histogramBins)
        let gray = image.grayscale()
        let intensity = Moments(gray.values)
        features += [intensity.variance, intensity.skewness, intensity.excessKurtosis, intensity.mean,
                     intensity.standardDeviation, intensity.maximum, intensity.minimum].map(Float.init)
        let edges = Moments(gray.sobelMagnitude().values)
        features += [edges.mean, edges.standardDeviation].map(Float.init)

        let darkMask = gray.otsuThreshold().map { gray.mask(darkerThan: $0) }
        let dark = RegionSummary(darkMask?.connectedComponents(minimumArea: minimumRegionArea) ?? [])
        features += [dark.count, dark.meanArea, dark.meanPerimeter, dark.meanCircularity].map(Float.init)

        let purpleMask = purpleRange.mask(of: image)
        let purple = RegionSummary(purpleMask.connectedComponents(minimumArea: minimumRegionArea))
        features += [purpleMask.fraction, purple.count, purple.meanArea, purple.meanCircularity].map(Float.init)
        return features
    }

    /// Decodes each file and returns its features, in the order of `urls`, computed in parallel;
    /// a file that cannot be decoded gives its `ImageError` in place of features.
    public func features(ofFilesAt urls: [URL]) -> [Result<[Float], Error>] {
        var results = [Result<[Float], Error>](repeating: .success([]), count: urls.count)
        results.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: urls.count) { index in
                output[index] = Result { features(of: try ImageDecoder.decode(fileAt: urls[index])) }
            }
        }
        return results
    }
}
