/// Checks that a row-major buffer of `count` values holds exactly `width · height · channels`
/// of them (non-negative sides, no overflow); throws `ImageError` naming `source` otherwise.
func checkPixelBufferSize(width: Int, height: Int, channels: Int, count: Int, source: String) throws {
    let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
    let (values, valuesOverflow) = area.multipliedReportingOverflow(by: channels)
    guard width >= 0, height >= 0, !areaOverflow, !valuesOverflow, values == count else {
        throw ImageError(source: source,
                         reason: .pixelCountMismatch(width: width, height: height, channels: channels, count: count))
    }
}
