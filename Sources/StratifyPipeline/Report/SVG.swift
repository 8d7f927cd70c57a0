import Foundation
import StratifyCore
import StratifyExport

/// Tiny inline-SVG chart builders for the run report: no script, no external assets.
enum SVG {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ v: Double) -> String { JSON.format((v * 10).rounded() / 10) }

    /// Vertical bars with labels under them.
    static func bars(_ items: [(label: String, value: Double)], width: Int = 520, height: Int = 180, format: (Double) -> String) -> String {
        let maxV = max(items.map(\.value).max() ?? 1, 1e-9)
        let bw = Double(width - 40) / Double(max(items.count, 1))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 30)\" role=\"img\">"
        for (i, item) in items.enumerated() {
            let h = Double(height - 20) * item.value / maxV
            let x = 30 + Double(i) * bw
            out += "<rect x=\"\(n(x + 1))\" y=\"\(n(Double(height) - h))\" width=\"\(n(max(bw - 2, 1)))\" height=\"\(n(h))\" fill=\"#3b6ea5\"><title>\(escape(item.label)): \(format(item.value))</title></rect>"
            if items.count <= 20 || i % max(1, items.count / 12) == 0 {
                out += "<text x=\"\(n(x + bw / 2))\" y=\"\(height + 14)\" font-size=\"10\" text-anchor=\"middle\">\(escape(item.label))</text>"
            }
        }
        out += "<text x=\"2\" y=\"12\" font-size=\"10\">\(format(maxV))</text></svg>"
        return out
    }

    /// Funnel plot: practices as points (denominator, ratio), the ICB ratio and its 95%/99.8% limits.
    static func funnel(points: [(n: Int, ratio: Double, label: String)], target: Double, width: Int = 520, height: Int = 260) -> String {
        let maxN = Double(max(points.map(\.n).max() ?? 1, 1))
        let ratios = points.map(\.ratio) + [target]
        let lo = max(0, (ratios.min() ?? 0) - 0.02), hi = min(1, (ratios.max() ?? 1) + 0.02)
        func x(_ v: Double) -> Double { 40 + (Double(width) - 50) * v / maxN }
        func y(_ v: Double) -> Double { Double(height) - 20 - (Double(height) - 30) * (v - lo) / max(hi - lo, 1e-9) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"
        for (z, colour) in [(PrevalenceStatistics.z95, "#999"), (PrevalenceStatistics.z998, "#c55")] {
            for sign in [-1.0, 1.0] {
                var path = ""
                for step in 1...60 {
                    let nn = maxN * Double(step) / 60
                    let limits = PrevalenceStatistics.funnel(target: target, n: Int(nn.rounded(.up)), z: z)!
                    let v = min(max(sign < 0 ? limits.low : limits.high, lo), hi)
                    path += (step == 1 ? "M" : "L") + "\(n(x(nn))),\(n(y(v)))"
                }
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\"/>"
            }
        }
        out += "<line x1=\"40\" x2=\"\(width - 10)\" y1=\"\(n(y(target)))\" y2=\"\(n(y(target)))\" stroke=\"#333\"/>"
        for p in points {
            out += "<circle cx=\"\(n(x(Double(p.n))))\" cy=\"\(n(y(p.ratio)))\" r=\"3\" fill=\"#3b6ea5\"><title>\(escape(p.label)): \(JSON.format(p.ratio)) of \(p.n)</title></circle>"
        }
        out += "<text x=\"2\" y=\"12\" font-size=\"10\">\(JSON.format((hi * 1000).rounded() / 1000))</text>"
        out += "<text x=\"2\" y=\"\(height - 22)\" font-size=\"10\">\(JSON.format((lo * 1000).rounded() / 1000))</text>"
        out += "<text x=\"\(width - 120)\" y=\"\(height - 4)\" font-size=\"10\">denominator (max \(Int(maxN)))</text></svg>"
        return out
    }

    /// One line per series over runs.
    static func lines(_ series: [(name: String, values: [Double])], labels: [String], width: Int = 520, height: Int = 200) -> String {
        let maxV = max(series.flatMap(\.values).max() ?? 1, 1)
        let count = max(labels.count, 2)
        func x(_ i: Int) -> Double { 40 + (Double(width) - 60) * Double(i) / Double(count - 1) }
        func y(_ v: Double) -> Double { Double(height) - 20 - (Double(height) - 30) * v / maxV }
        let colours = ["#3b6ea5", "#c55", "#5a5", "#a5a", "#e90", "#399", "#666", "#963"]
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"
        for (k, s) in series.enumerated() {
            let pts = s.values.enumerated().map { "\(n(x($0.offset))),\(n(y($0.element)))" }.joined(separator: " ")
            out += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(colours[k % colours.count])\" stroke-width=\"2\"><title>\(escape(s.name))</title></polyline>"
        }
        for (i, l) in labels.enumerated() { out += "<text x=\"\(n(x(i)))\" y=\"\(height - 4)\" font-size=\"9\" text-anchor=\"middle\">\(escape(l))</text>" }
        out += "<text x=\"2\" y=\"12\" font-size=\"10\">\(Int(maxV))</text></svg>"
        return out
    }
}

