import Foundation
// TEMPORARY until the Evaluation branch lands.
extension CostMatrix {
    public static func zeroOne(classCount: Int) -> CostMatrix {
        try! CostMatrix(values: (0..<classCount).map { i in (0..<classCount).map { $0 == i ? 0 : 1 } })
    }
    public static func stageDistance(classCount: Int) -> CostMatrix {
        try! CostMatrix(values: (0..<classCount).map { i in (0..<classCount).map { Double(abs($0 - i)) } })
    }
    public static func load(from url: URL, classNames: [String]) throws -> CostMatrix {
        try load(from: url, classCount: classNames.count)
    }
}
extension CostMatrix {
    public static func load(from url: URL) throws -> CostMatrix { try load(from: url, classCount: 4) }
}
