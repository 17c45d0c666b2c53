import Foundation

/// The middle value of `values` (the mean of the two middle ones for an even count); nan when empty.
public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Median seconds of `iterations` calls of `body` after one warm-up call.
public func medianSeconds(iterations: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var seconds: [Double] = []
    for _ in 0..<iterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return median(seconds)
}
