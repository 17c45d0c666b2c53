/// Finds the nucleated (stained) white cells of a blood smear image, among the red cells, and
/// returns one box, area and centroid per cell.
///
/// The detector first resizes the image so that its longer side is `workingSize` pixels (areas and
/// radii are meant at that size), then:
///
/// 1. marks the stained pixels (`stain`);
/// 2. cleans the mask with a disc of radius `cleanUpRadius`: closing (joins the pieces of a
///    nucleus), hole filling (pale centres), opening (removes specks, thin bridges and red-cell rims);
/// 3. splits touching cells: the watershed of the distance transform
///    (`DistanceMap.watershed(minimumDepth:)` with `minimumSplitDepth`);
/// 4. keeps the pieces of `minimumArea...maximumArea` pixels: smaller ones are debris, platelets
///    or fragments, larger ones clumps that could not be split;
/// 5. measures each piece and maps it back to the pixels of the given image.
///
/// Cells are ordered by their first pixel in row-major order (top-most, then left-most) at the
/// working size. An image without stained cells gives an empty list.
public struct CellDetector: Sendable, Equatable, Codable {
    /// How the stained pixels are found.
    public enum Stain: Sendable, Equatable, Codable {
        /// The pixels whose HSV colour falls in the range (for the study's purple rule, pass
        /// `Datasets.StudyProtocol.purpleRange`).
        case hsvRange(HSVRange)
        /// The pixels whose magenta stain channel (`RGBImage.magentaStain()`) reaches the image's
        /// Otsu threshold on that channel, and at least `minimumThreshold` (on 0...1), so that in
        /// an image without white cells Otsu's split of red cells from background finds nothing.
        case magentaOtsu(minimumThreshold: Float)

        private enum CodingKeys: String, CodingKey {
            case rule, hsvRange = "hsv_range", minimumThreshold = "minimum_threshold"
        }

        /// The `rule` names in JSON.
        private static let hsvRule = "hsv-range", magentaRule = "magenta-otsu"

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .rule) {
            case Self.hsvRule: self = .hsvRange(try container.decode(HSVRange.self, forKey: .hsvRange))
            case Self.magentaRule: self = .magentaOtsu(minimumThreshold: try container.decode(Float.self, forKey: .minimumThreshold))
            case let rule:
                throw DecodingError.dataCorruptedError(forKey: .rule, in: container, debugDescription:
                    "unknown stain rule '\(rule)', expected '\(Self.hsvRule)' or '\(Self.magentaRule)'")
            }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .hsvRange(let range):
                try container.encode(Self.hsvRule, forKey: .rule)
                try container.encode(range, forKey: .hsvRange)
            case .magentaOtsu(let minimumThreshold):
                try container.encode(Self.magentaRule, forKey: .rule)
                try container.encode(minimumThreshold, forKey: .minimumThreshold)
            }
        }
    }

    /// The default least threshold of the magenta rule: it keeps out the bluish red cells of the
    /// palest ALL slides, whose Otsu threshold falls to 0.05.
    public static let defaultMinimumStainThreshold: Float = 0.12

    /// The default rule: the magenta channel's Otsu threshold, at least
    /// `defaultMinimumStainThreshold`. On the ALL images it finds the white cells whatever their
    /// stain (see `RGBImage.magentaStain()`).
    public static let defaultStain = Stain.magentaOtsu(minimumThreshold: defaultMinimumStainThreshold)

    public var stain: Stain
    /// The longer side, in pixels, of the image the detector works on (the aspect ratio is kept);
    /// nil works on the image as given.
    public var workingSize: Int?
    /// The smallest cell, in pixels at the working size.
    public var minimumArea: Int
    /// The largest cell, in pixels at the working size.
    public var maximumArea: Int
    /// The radius in pixels of the disc that cleans the mask (0: no clean-up).
    public var cleanUpRadius: Int
    /// How far, in pixels, a distance peak must rise above the neck joining it to a higher one for
    /// its cell to be split off (the h of the h-maxima markers).
    public var minimumSplitDepth: Float

    private enum CodingKeys: String, CodingKey {
        case stain, workingSize = "working_size", minimumArea = "minimum_area", maximumArea = "maximum_area"
        case cleanUpRadius = "clean_up_radius", minimumSplitDepth = "minimum_split_depth"
    }

    /// A detector with these settings; the defaults suit white cells of 20–50 pixels across in
    /// 224-pixel images (the ALL data set at 100x).
    public init(stain: Stain = CellDetector.defaultStain, workingSize: Int? = 224, minimumArea: Int = 80,
                maximumArea: Int = 6000, cleanUpRadius: Int = 2, minimumSplitDepth: Float = 2) {
        self.stain = stain
        self.workingSize = workingSize
        self.minimumArea = minimumArea
        self.maximumArea = maximumArea
        self.cleanUpRadius = cleanUpRadius
        self.minimumSplitDepth = minimumSplitDepth
    }

    /// Throws unless every setting lies in its range.
    /// - Throws: `CellDetectorError` naming the first setting at fault.
    public func validate() throws {
        func check(_ ok: Bool, _ setting: String, _ problem: @autoclosure () -> String) throws {
            guard ok else { throw CellDetectorError(setting: setting, problem: problem()) }
        }
        switch stain {
        case .hsvRange(let range):
            try check(range.hue.lowerBound >= 0 && range.hue.upperBound <= 1 && (0...1).contains(range.minimumSaturation)
                          && (0...1).contains(range.minimumValue), "hsv_range", "hue \(range.hue), minimum saturation "
                          + "\(range.minimumSaturation) and minimum value \(range.minimumValue) must lie in 0...1")
        case .magentaOtsu(let minimumThreshold):
            try check((0...1).contains(minimumThreshold), "minimum_threshold", "\(minimumThreshold) must lie in 0...1")
        }
        if let workingSize {
            try check((8...ImageDecoder.maximumSide).contains(workingSize), "working_size",
                      "\(workingSize) must lie in 8...\(ImageDecoder.maximumSide)")
        }
        try check(minimumArea >= 1, "minimum_area", "\(minimumArea) must be at least 1")
        try check(maximumArea >= minimumArea, "maximum_area", "\(maximumArea) must be at least the minimum area \(minimumArea)")
        try check((0...100).contains(cleanUpRadius), "clean_up_radius", "\(cleanUpRadius) must lie in 0...100")
        try check(minimumSplitDepth >= 0 && minimumSplitDepth.isFinite, "minimum_split_depth",
                  "\(minimumSplitDepth) must be a finite number at least 0")
    }

    /// The cells of `image`, in its pixels.
    /// - Throws: `CellDetectorError` for a setting out of range.
    public func detect(in image: RGBImage) throws -> [DetectedCell] {
        try validate()
        guard image.width > 0, image.height > 0 else { return [] }
        let working = workingImage(of: image)
        let basins = cellMask(of: working).distanceTransform().watershed(minimumDepth: minimumSplitDepth)
        let scaleX = Double(image.width) / Double(working.width), scaleY = Double(image.height) / Double(working.height)
        return measure(basins)
            .filter { (minimumArea...maximumArea).contains($0.area) }
            .map { cell in
                let right = min(Int((Double(cell.box.x + cell.box.width) * scaleX).rounded(.up)), image.width)
                let bottom = min(Int((Double(cell.box.y + cell.box.height) * scaleY).rounded(.up)), image.height)
                let left = Int((Double(cell.box.x) * scaleX).rounded(.down)), top = Int((Double(cell.box.y) * scaleY).rounded(.down))
                return DetectedCell(box: BoundingBox(x: left, y: top, width: right - left, height: bottom - top),
                                    area: Int((Double(cell.area) * scaleX * scaleY).rounded()),
                                    centroidX: (cell.centroidX + 0.5) * scaleX - 0.5,
                                    centroidY: (cell.centroidY + 0.5) * scaleY - 0.5)
            }
    }

    /// `image` resized so that its longer side is `workingSize` (itself when it already is, or
    /// when `workingSize` is nil).
    public func workingImage(of image: RGBImage) -> RGBImage {
        guard let workingSize, image.width > 0, image.height > 0 else { return image }
        let scale = Double(workingSize) / Double(max(image.width, image.height))
        return image.resized(width: max(Int((Double(image.width) * scale).rounded()), 1),
                             height: max(Int((Double(image.height) * scale).rounded()), 1))
    }

    /// The stained pixels of `image` (at its own size) after the clean-up (steps 1 and 2), before
    /// touching cells are split.
    public func cellMask(of image: RGBImage) -> BinaryMask {
        let mask: BinaryMask
        switch stain {
        case .hsvRange(let range):
            mask = range.mask(of: image)
        case .magentaOtsu(let minimumThreshold):
            let channel = image.magentaStain()
            // A uniform channel (no Otsu threshold) has no stained cells.
            mask = channel.mask(atLeast: max(channel.otsuThreshold() ?? .infinity, minimumThreshold))
        }
        guard cleanUpRadius > 0 else { return mask.holesFilled() }
        let disc = StructuringElement.disc(radius: cleanUpRadius)
        return mask.closed(by: disc).holesFilled().opened(by: disc)
    }

    /// Box, area and centroid of each region of `labels`, in label order (unscaled).
    private func measure(_ labels: LabelImage) -> [DetectedCell] {
        let count = labels.regionCount + 1
        var minX = [Int](repeating: Int.max, count: count), maxX = [Int](repeating: -1, count: count)
        var minY = [Int](repeating: Int.max, count: count), maxY = [Int](repeating: -1, count: count)
        var area = [Int](repeating: 0, count: count), sumX = [Int](repeating: 0, count: count)
        var sumY = [Int](repeating: 0, count: count)
        for y in 0..<labels.height {
            for x in 0..<labels.width {
                let label = Int(labels.labels[y * labels.width + x])
                guard label > 0 else { continue }
                minX[label] = min(minX[label], x)
                maxX[label] = max(maxX[label], x)
                minY[label] = min(minY[label], y)
                maxY[label] = max(maxY[label], y)
                area[label] += 1
                sumX[label] += x
                sumY[label] += y
            }
        }
        return (1..<count).map { label in
            DetectedCell(box: BoundingBox(x: minX[label], y: minY[label], width: maxX[label] - minX[label] + 1,
                                          height: maxY[label] - minY[label] + 1),
                         area: area[label], centroidX: Double(sumX[label]) / Double(area[label]),
                         centroidY: Double(sumY[label]) / Double(area[label]))
        }
    }
}
