import Foundation

/// The one-line progress display of a training epoch: a bar, images done, throughput and time left.
public struct ProgressBar: Sendable {
    /// Characters of the bar itself.
    public var width: Int

    public init(width: Int = 30) { self.width = width }

    /// The line for `done` of `total` images after `elapsed` seconds of the epoch, e.g.
    /// `epoch 3/50 [#########.....................]  320/1706  41.2 img/s  left 0:34  loss 0.8123`.
    public func line(epoch: Int, epochs: Int, done: Int, total: Int, elapsed: Double, loss: Double?) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : nil
        let countWidth = String(total).count
        var text = "epoch \(epoch)/\(epochs) [\(bar)] " + String(repeating: " ", count: max(0, countWidth - String(done).count))
            + "\(done)/\(total)  " + String(format: "%.1f img/s", rate) + "  left " + Self.clock(remaining)
        if let loss { text += String(format: "  loss %.4f", loss) }
        return text
    }

    /// `h:mm:ss` or `m:ss`; `--:--` when unknown.
    static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
