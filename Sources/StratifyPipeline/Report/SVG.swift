import Foundation
import StratifyCore
import StratifyExport

/// Inline-SVG chart builders for the run report: no script, no external assets. Every chart has a
/// viewBox (so CSS can shrink it to an 800 px column or a printed page without cutting it off),
/// `role="img"`, an `aria-label` and a `<title>`; axes carry ticks and titles.
enum SVG {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ v: Double) -> String { JSON.format((v * 10).rounded() / 10) }

    /// Okabe & Ito's colour-blind-safe palette. Its yellow (#F0E442) is left out: as a direct
    /// label on white it cannot be read; black stands in, then a mid grey.
    static let okabeIto = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#777777"]

    /// Funnel categories: colour AND shape, so they survive greyscale printing and colour blindness.
    /// Prevalence is not "good" or "bad" (it also reflects case-finding), so the palette is the
    /// blue/orange of Okabe–Ito rather than Fingertips' red/green RAG.
    enum Band: String, CaseIterable {
        case high998 = "high-998", high95 = "high-95", within, low95 = "low-95", low998 = "low-998"

        var colour: String {
            switch self {
            case .high998: "#D55E00"
            case .high95: "#E69F00"
            case .within: "#8c8c8c"
            case .low95: "#56B4E9"
            case .low998: "#0072B2"
            }
        }

        var legend: String {
            switch self {
            case .high998: "higher: above the 99.8% limit"
            case .high95: "higher: above the 95% limit only"
            case .within: "within the 95% limits"
            case .low95: "lower: below the 95% limit only"
            case .low998: "lower: below the 99.8% limit"
            }
        }

        init(_ s: Prevalence.Shown) {
            switch (s.variation, s.variation95) {
            case (.high?, _): self = .high998
            case (.low?, _): self = .low998
            case (_, .high?): self = .high95
            case (_, .low?): self = .low95
            default: self = .within
            }
        }

        /// The marker at (x, y); `title` becomes its hover text.
        func marker(_ x: Double, _ y: Double, title: String) -> String {
            let t = "<title>\(SVG.escape(title))</title>"
            switch self {
            case .within:
                return "<circle class=\"pt \(rawValue)\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"2.6\" fill=\"\(colour)\" fill-opacity=\"0.65\">\(t)</circle>"
            case .high998, .high95, .low998, .low95:
                let up = self == .high998 || self == .high95
                let s = 4.6, d = up ? -1.0 : 1.0
                let path = "M\(n(x)),\(n(y + d * s))L\(n(x + s)),\(n(y - d * s * 0.7))L\(n(x - s)),\(n(y - d * s * 0.7))Z"
                let filled = self == .high998 || self == .low998
                return "<path class=\"pt \(rawValue)\" d=\"\(path)\" fill=\"\(filled ? colour : "#fff")\" stroke=\"\(colour)\" stroke-width=\"1.6\">\(t)</path>"
            }
        }
    }

    /// "Nice" tick values covering lo...hi (steps of 1, 2, 2.5 or 5 times a power of ten).
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? raw
        var out: [Double] = []
        var k = (lo / step).rounded(.up)
        // Multiples of the step, rounded off the binary noise (3 × 0.05 is 0.15000000000000002).
        while k * step <= hi + step * 1e-9 {
            out.append((k * step * 1e12).rounded() / 1e12)
            k += 1
        }
        return out
    }

    /// Percent tick labels with as many decimals as the step needs.
    static func percentLabels(_ ticks: [Double]) -> [String] {
        // The fewest decimals that show every tick exactly (2.5% must not print as "2%").
        let decimals = (0...3).first { d in
            let scale = pow(10, Double(d))
            return ticks.allSatisfy { abs(($0 * 100 * scale).rounded() - $0 * 100 * scale) < 1e-6 }
        } ?? 3
        return ticks.map { String(format: "%.\(decimals)f%%", $0 * 100) }
    }

    /// The frame every chart shares: the svg element with title and aria-label, a plot area and
    /// axes with ticks and titles. `x`/`y` map data to pixels.
    struct Frame {
        // Sized for a 360–400 px grid column (three across at 1366 px, two at 800 px), so
        // text renders near its nominal 11 px instead of shrinking or ballooning.
        var width = 390.0, height = 280.0
        var left = 56.0, right = 12.0, top = 12.0, bottom = 48.0
        var xLo = 0.0, xHi = 1.0, yLo = 0.0, yHi = 1.0
        func x(_ v: Double) -> Double { left + (width - left - right) * (v - xLo) / max(xHi - xLo, 1e-12) }
        func y(_ v: Double) -> Double { height - bottom - (height - top - bottom) * (v - yLo) / max(yHi - yLo, 1e-12) }

        func open(id: String, label: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(SVG.escape(id))\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "role=\"img\" aria-label=\"\(SVG.escape(label))\" preserveAspectRatio=\"xMinYMin meet\"><title>\(SVG.escape(label))</title>"
                + "<defs><clipPath id=\"\(SVG.escape(id))-plot\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(width - left - right))\" height=\"\(n(height - top - bottom))\"/></clipPath></defs>"
        }

        /// Axes, gridlines, tick labels and both axis titles.
        func axes(xTicks: [(Double, String)], yTicks: [(Double, String)], xTitle: String, yTitle: String) -> String {
            var out = "<g class=\"axes\" font-size=\"11\" fill=\"#333\">"
            for (v, label) in yTicks {
                out += "<line x1=\"\(n(left))\" x2=\"\(n(width - right))\" y1=\"\(n(y(v)))\" y2=\"\(n(y(v)))\" stroke=\"#e4e4e4\"/>"
                out += "<text x=\"\(n(left - 5))\" y=\"\(n(y(v) + 4))\" text-anchor=\"end\">\(SVG.escape(label))</text>"
            }
            for (v, label) in xTicks {
                out += "<line x1=\"\(n(x(v)))\" x2=\"\(n(x(v)))\" y1=\"\(n(height - bottom))\" y2=\"\(n(height - bottom + 4))\" stroke=\"#555\"/>"
                out += "<text x=\"\(n(x(v)))\" y=\"\(n(height - bottom + 16))\" text-anchor=\"middle\">\(SVG.escape(label))</text>"
            }
            out += "<line x1=\"\(n(left))\" x2=\"\(n(width - right))\" y1=\"\(n(height - bottom))\" y2=\"\(n(height - bottom))\" stroke=\"#555\"/>"
            out += "<line x1=\"\(n(left))\" x2=\"\(n(left))\" y1=\"\(n(top))\" y2=\"\(n(height - bottom))\" stroke=\"#555\"/>"
            out += "<text class=\"axis-title x-title\" x=\"\(n((left + width - right) / 2))\" y=\"\(n(height - 8))\" text-anchor=\"middle\" font-size=\"12\">\(SVG.escape(xTitle))</text>"
            let cy = (top + height - bottom) / 2
            out += "<text class=\"axis-title y-title\" transform=\"translate(13 \(n(cy))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(SVG.escape(yTitle))</text>"
            return out + "</g>"
        }
    }

    /// A funnel plot (PHE/OHID convention): practices by denominator and proportion, the ICB
    /// line and its 95% and 99.8% control limits. The x-axis starts near the smallest
    /// denominator, not 0, so the points are not crowded; limits are sampled at 120 geometrically
    /// spaced denominators (smooth where they bend most) and drawn only where they lie strictly
    /// inside 0–100%, clipped to the plot rather than flattened against its edge.
    struct FunnelPoint { var n: Int; var ratio: Double; var band: Band; var title: String }

    static func funnel(id: String, label: String, points: [FunnelPoint], target: Double) -> String {
        guard let f = funnelFrame(points: points, target: target) else { return "" }
        let yt = ticks(f.yLo, f.yHi)
        let xt = ticks(f.xLo, f.xHi, count: 4).filter { $0 >= f.xLo }
        var out = f.open(id: id, label: label)
        out += f.axes(xTicks: xt.map { ($0, thousands(Int($0.rounded()))) }, yTicks: Array(zip(yt, percentLabels(yt))),
                      xTitle: "Denominator (people in the measure's population)", yTitle: "Prevalence (%)")
        out += "<g clip-path=\"url(#\(escape(id))-plot)\">"
        let firstN = max(1.0, f.xLo), steps = 120
        for (z, cls, dash) in [(PrevalenceStatistics.z95, "limit-95", "5 3"), (PrevalenceStatistics.z998, "limit-998", "")] {
            for side in ["low", "high"] {
                var path = "", pen = "M"
                for k in 0...steps {
                    let nn = firstN * pow(f.xHi / firstN, Double(k) / Double(steps))
                    guard let lim = PrevalenceStatistics.funnel(target: target, n: Int(nn.rounded(.up)), z: z) else { continue }
                    let v = side == "low" ? lim.low : lim.high
                    // A limit at exactly 0 or 1 is the clamp, not a limit: lift the pen.
                    if v <= 0 || v >= 1 { pen = "M"; continue }
                    path += "\(pen)\(n(f.x(nn))),\(n(f.y(v)))"
                    pen = "L"
                }
                if !path.isEmpty {
                    out += "<path class=\"limit \(cls) \(cls)-\(side)\" d=\"\(path)\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.1\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
                }
            }
        }
        out += "<line class=\"target\" x1=\"\(n(f.left))\" x2=\"\(n(f.width - f.right))\" y1=\"\(n(f.y(target)))\" y2=\"\(n(f.y(target)))\" stroke=\"#222\" stroke-width=\"1.4\"/>"
        // Practices within the limits first, so outliers are drawn on top.
        for p in points.sorted(by: { ($0.band == .within ? 0 : 1) < ($1.band == .within ? 0 : 1) }) {
            out += p.band.marker(f.x(Double(p.n)), f.y(p.ratio), title: p.title)
        }
        out += "</g>"
        out += "<text x=\"\(n(f.width - f.right - 4))\" y=\"\(n(f.y(target) - 5))\" text-anchor=\"end\" font-size=\"11\" fill=\"#222\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">ICB \(percent(target))</text>"
        return out + "</svg>"
    }

    /// The funnel's axes: x from just below the smallest denominator, y around the points and the ICB.
    static func funnelFrame(points: [FunnelPoint], target: Double) -> Frame? {
        guard let minN = points.map(\.n).min(), let maxN = points.map(\.n).max() else { return nil }
        var f = Frame()
        let spanN = Double(max(maxN - minN, 10))
        f.xLo = max(0, Double(minN) - spanN * 0.03)
        f.xHi = Double(maxN) + spanN * 0.03
        let ratios = points.map(\.ratio) + [target]
        let rLo = ratios.min()!, rHi = ratios.max()!
        let pad = max((rHi - rLo) * 0.08, 0.002)
        f.yLo = max(0, rLo - pad)
        f.yHi = min(1, rHi + pad)
        return f
    }

    /// The funnel legend (HTML, shared by every funnel of a section): marker, meaning and lines.
    static func funnelLegend() -> String {
        var out = "<div class=\"legend\" id=\"funnel-legend\" role=\"list\" aria-label=\"Funnel plot legend\">"
        for b in Band.allCases {
            out += "<span role=\"listitem\"><svg viewBox=\"0 0 14 14\" width=\"14\" height=\"14\" aria-hidden=\"true\">\(b.marker(7, 7, title: b.legend))</svg> \(escape(b.legend))</span>"
        }
        out += "<span role=\"listitem\"><svg viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"28\" y1=\"5\" y2=\"5\" stroke=\"#222\" stroke-width=\"1.4\"/></svg> ICB average</span>"
        out += "<span role=\"listitem\"><svg viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"28\" y1=\"5\" y2=\"5\" stroke=\"#555\" stroke-dasharray=\"5 3\"/></svg> 95% limits</span>"
        out += "<span role=\"listitem\"><svg viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"28\" y1=\"5\" y2=\"5\" stroke=\"#555\"/></svg> 99.8% limits</span>"
        return out + "</div>"
    }

    /// Rates with 95% intervals by category (the deprivation gradient): a dot per category and a
    /// whisker for its interval; nil values (suppressed) are left out and say so on hover.
    static func intervals(id: String, label: String, items: [(label: String, value: Double?, ci: (low: Double, high: Double)?, title: String)],
                          xTitle: String, yTitle: String) -> String {
        var f = Frame(width: 360, height: 250, left: 54, right: 12, top: 12, bottom: 46)
        let known = items.compactMap { i in i.value.map { v in (v, i.ci ?? (v, v)) } }
        let lo = known.map { min($0.0, $0.1.low) }.min() ?? 0, hi = known.map { max($0.0, $0.1.high) }.max() ?? 1
        let pad = max((hi - lo) * 0.1, 0.002)
        f.yLo = max(0, lo - pad); f.yHi = min(1, hi + pad)
        f.xLo = -0.5; f.xHi = Double(items.count) - 0.5
        let yt = ticks(f.yLo, f.yHi)
        var out = f.open(id: id, label: label)
        out += f.axes(xTicks: items.enumerated().map { (Double($0.offset), $0.element.label) }, yTicks: Array(zip(yt, percentLabels(yt))),
                      xTitle: xTitle, yTitle: yTitle)
        for (k, item) in items.enumerated() {
            let x = f.x(Double(k))
            guard let v = item.value else {
                out += "<text x=\"\(n(x))\" y=\"\(n(f.y((f.yLo + f.yHi) / 2)))\" text-anchor=\"middle\" font-size=\"12\">*<title>\(escape(item.title))</title></text>"
                continue
            }
            if let ci = item.ci {
                out += "<line x1=\"\(n(x))\" x2=\"\(n(x))\" y1=\"\(n(f.y(ci.low)))\" y2=\"\(n(f.y(ci.high)))\" stroke=\"#0072B2\" stroke-width=\"1.6\"/>"
                for e in [ci.low, ci.high] {
                    out += "<line x1=\"\(n(x - 6))\" x2=\"\(n(x + 6))\" y1=\"\(n(f.y(e)))\" y2=\"\(n(f.y(e)))\" stroke=\"#0072B2\" stroke-width=\"1.6\"/>"
                }
            }
            out += "<circle class=\"pt\" cx=\"\(n(x))\" cy=\"\(n(f.y(v)))\" r=\"4.2\" fill=\"#0072B2\"><title>\(escape(item.title))</title></circle>"
        }
        return out + "</svg>"
    }

    /// Vertical bars (a distribution of counts). A nil value is a suppressed count: no bar, a "*".
    static func bars(id: String, label: String, items: [(label: String, value: Int?)], xTitle: String, yTitle: String,
                     width: Double = 520) -> String {
        var f = Frame(width: width, height: 250, left: 62, right: 12, top: 12, bottom: 46)
        let maxV = Double(max(items.compactMap(\.value).max() ?? 1, 1))
        f.xLo = -0.5; f.xHi = Double(items.count) - 0.5
        f.yLo = 0; f.yHi = maxV * 1.05
        let yt = ticks(0, f.yHi)
        let every = max(1, Int((Double(items.count) / 14).rounded(.up)))
        var out = f.open(id: id, label: label)
        out += f.axes(xTicks: items.enumerated().filter { $0.offset % every == 0 }.map { (Double($0.offset), $0.element.label) },
                      yTicks: yt.map { ($0, thousands(Int($0.rounded()))) }, xTitle: xTitle, yTitle: yTitle)
        let bw = (f.width - f.left - f.right) / Double(max(items.count, 1))
        for (k, item) in items.enumerated() {
            let x = f.x(Double(k)) - bw / 2
            guard let v = item.value else {
                out += "<text x=\"\(n(x + bw / 2))\" y=\"\(n(f.y(0) - 3))\" text-anchor=\"middle\" font-size=\"11\">*<title>\(escape(item.label)): count * (suppressed)</title></text>"
                continue
            }
            let top = f.y(Double(v))
            out += "<rect x=\"\(n(x + 1))\" y=\"\(n(top))\" width=\"\(n(max(bw - 2, 1)))\" height=\"\(n(f.y(0) - top))\" fill=\"#0072B2\"><title>\(escape(item.label)): count \(thousands(v))</title></rect>"
        }
        return out + "</svg>"
    }

    /// One line per series over runs, labelled at its end (direct labels: no legend to match
    /// colours against), in the Okabe–Ito palette, with a marker at each run.
    static func lines(id: String, label: String, series: [(name: String, values: [Int?])], xLabels: [String], yTitle: String) -> String {
        var f = Frame(width: 760, height: 300, left: 62, right: 230, top: 14, bottom: 50)
        let maxV = Double(max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1, 1))
        f.xLo = -0.15; f.xHi = Double(max(xLabels.count - 1, 1)) + 0.15
        f.yLo = 0; f.yHi = maxV * 1.08
        let yt = ticks(0, f.yHi)
        let every = max(1, Int((Double(xLabels.count) / 6).rounded(.up)))
        var out = f.open(id: id, label: label)
        out += f.axes(xTicks: xLabels.enumerated().filter { $0.offset % every == 0 || $0.offset == xLabels.count - 1 }.map { (Double($0.offset), $0.element) },
                      yTicks: yt.map { ($0, thousands(Int($0.rounded()))) }, xTitle: "Run (as-of date)", yTitle: yTitle)
        var ends: [(y: Double, name: String, colour: String)] = []
        for (k, s) in series.enumerated() {
            let colour = okabeIto[k % okabeIto.count]
            var path = "", pen = "M"
            for (i, v) in s.values.enumerated() {
                guard let v else { pen = "M"; continue }
                path += "\(pen)\(n(f.x(Double(i)))),\(n(f.y(Double(v))))"
                pen = "L"
                out += "<circle cx=\"\(n(f.x(Double(i))))\" cy=\"\(n(f.y(Double(v))))\" r=\"3\" fill=\"\(colour)\"><title>\(escape(s.name)), \(escape(xLabels[i])): count \(thousands(v))</title></circle>"
            }
            out += "<path class=\"series\" d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.2\"><title>\(escape(s.name))</title></path>"
            if let last = s.values.last(where: { $0 != nil }) ?? nil { ends.append((f.y(Double(last)), s.name, colour)) }
        }
        // Direct labels at the right, nudged apart so none overlaps (13 px per line).
        ends.sort { $0.y < $1.y }
        var placed: [Double] = []
        for e in ends { placed.append(max(e.y, (placed.last ?? -1e9) + 13)) }
        let overflow = (placed.last ?? 0) - (f.height - f.bottom)
        if overflow > 0 { placed = placed.map { max(f.top + 4, $0 - overflow) } }
        let xEnd = f.x(f.xHi)
        for (e, y) in zip(ends, placed) {
            out += "<line x1=\"\(n(xEnd))\" x2=\"\(n(xEnd + 8))\" y1=\"\(n(e.y))\" y2=\"\(n(y))\" stroke=\"\(e.colour)\"/>"
            out += "<text class=\"line-label\" x=\"\(n(xEnd + 11))\" y=\"\(n(y + 4))\" font-size=\"12\" font-weight=\"600\" fill=\"\(e.colour)\">\(escape(e.name))</text>"
        }
        return out + "</svg>"
    }

    /// Horizontal 100% stacked bars: one bar per row (top to bottom), split into the categories
    /// in order, each part the category's share of the counts shown for that row. A nil count is
    /// suppressed: it has no part (the shares are of the counts shown, so no gap hints at its
    /// size) and says so on hover. A part wide enough carries its share as text.
    static func stackedShares(id: String, label: String, rows: [(name: String, values: [Int?])],
                              categories: [(name: String, colour: String, ink: String)], xTitle: String, yTitle: String) -> String {
        let band = 22.0, bar = 16.0
        var f = Frame(width: 820, height: 0, left: 214, right: 16, top: 10, bottom: 50)
        f.height = f.top + band * Double(rows.count) + f.bottom
        f.xLo = 0; f.xHi = 1
        let xt = ticks(0, 1)
        var out = f.open(id: id, label: label)
        out += "<g class=\"axes\" font-size=\"11\" fill=\"#333\">"
        for (v, text) in zip(xt, percentLabels(xt)) {
            out += "<line x1=\"\(n(f.x(v)))\" x2=\"\(n(f.x(v)))\" y1=\"\(n(f.height - f.bottom))\" y2=\"\(n(f.height - f.bottom + 4))\" stroke=\"#555\"/>"
            out += "<text x=\"\(n(f.x(v)))\" y=\"\(n(f.height - f.bottom + 16))\" text-anchor=\"middle\">\(text)</text>"
        }
        for (r, row) in rows.enumerated() {
            let shortName = row.name.count > 34 ? String(row.name.prefix(33)) + "…" : row.name
            out += "<text class=\"row-label\" x=\"\(n(f.left - 6))\" y=\"\(n(f.top + band * Double(r) + band / 2 + 4))\" text-anchor=\"end\">\(escape(shortName))<title>\(escape(row.name))</title></text>"
        }
        out += "<line x1=\"\(n(f.left))\" x2=\"\(n(f.width - f.right))\" y1=\"\(n(f.height - f.bottom))\" y2=\"\(n(f.height - f.bottom))\" stroke=\"#555\"/>"
        out += "<text class=\"axis-title x-title\" x=\"\(n((f.left + f.width - f.right) / 2))\" y=\"\(n(f.height - 10))\" text-anchor=\"middle\" font-size=\"12\">\(escape(xTitle))</text>"
        out += "<text class=\"axis-title y-title\" transform=\"translate(13 \(n((f.top + f.height - f.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(escape(yTitle))</text>"
        out += "</g>"
        for (r, row) in rows.enumerated() {
            let y = f.top + band * Double(r) + (band - bar) / 2
            let total = row.values.compactMap { $0 }.reduce(0, +)
            var at = 0
            var suppressed: [String] = []
            for (c, value) in row.values.enumerated() {
                let cat = categories[c]
                guard let v = value else { suppressed.append(cat.name); continue }
                guard v > 0, total > 0 else { continue }
                let x0 = f.x(Double(at) / Double(total)), x1 = f.x(Double(at + v) / Double(total))
                at += v
                let share = Double(v) / Double(total)
                out += "<rect class=\"part\" x=\"\(n(x0))\" y=\"\(n(y))\" width=\"\(n(x1 - x0))\" height=\"\(n(bar))\" fill=\"\(cat.colour)\" stroke=\"#fff\" stroke-width=\"0.6\">"
                    + "<title>\(escape(row.name)), \(escape(cat.name)): count \(thousands(v)), \(percent(share))</title></rect>"
                if x1 - x0 >= 34 {
                    out += "<text x=\"\(n((x0 + x1) / 2))\" y=\"\(n(y + bar - 4.5))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(cat.ink)\" pointer-events=\"none\">\(percent(share, decimals: 0))</text>"
                }
            }
            if !suppressed.isEmpty {
                out += "<text class=\"suppressed\" x=\"\(n(f.width - f.right + 3))\" y=\"\(n(y + bar - 4))\" font-size=\"11\">*<title>\(escape(row.name)): count * (suppressed) in \(escape(suppressed.joined(separator: "; ")))</title></text>"
            }
        }
        return out + "</svg>"
    }

    /// An HTML legend of colour swatches for the categories of `stackedShares` or the lines of `rateTrend`.
    static func seriesLegend(id: String, label: String, _ items: [(name: String, swatch: String)]) -> String {
        var out = "<div class=\"legend\" id=\"\(escape(id))\" role=\"list\" aria-label=\"\(escape(label))\">"
        for item in items { out += "<span role=\"listitem\">\(item.swatch) \(escape(item.name))</span>" }
        return out + "</div>"
    }

    static func swatch(_ colour: String) -> String {
        "<svg viewBox=\"0 0 14 14\" width=\"14\" height=\"14\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" width=\"12\" height=\"12\" fill=\"\(colour)\"/></svg>"
    }

    static func lineSwatch(_ colour: String, dashed: Bool = false, marker: Bool = false) -> String {
        "<svg viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"28\" y1=\"5\" y2=\"5\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            + (marker ? "<circle cx=\"14\" cy=\"5\" r=\"3\" fill=\"\(colour)\"/>" : "") + "</svg>"
    }

    /// A rate over runs against its target: the rate's line with a marker per run (nil: a
    /// suppressed rate, a gap in the line and a "*"), the target as a dashed line labelled at its
    /// right end; y in percent around both.
    static func rateTrend(id: String, label: String, values: [Double?], xLabels: [String], target: Double, yTitle: String) -> String {
        var f = Frame(width: 390, height: 250, left: 54, right: 14, top: 14, bottom: 48)
        let known = values.compactMap { $0 } + [target]
        let lo = known.min()!, hi = known.max()!
        // From 0, so a change of a few points does not look like a collapse.
        _ = lo
        f.yLo = 0; f.yHi = min(1, hi + max(hi * 0.12, 0.02))
        f.xLo = -0.3; f.xHi = Double(max(values.count - 1, 1)) + 0.3
        if values.count == 1 { f.xLo = -1; f.xHi = 1 }
        let yt = ticks(f.yLo, f.yHi)
        let every = max(1, Int((Double(xLabels.count) / 4).rounded(.up)))
        var out = f.open(id: id, label: label)
        out += f.axes(xTicks: xLabels.enumerated().filter { $0.offset % every == 0 || $0.offset == xLabels.count - 1 }.map { (Double($0.offset), $0.element) },
                      yTicks: Array(zip(yt, percentLabels(yt))), xTitle: "Run (as-of date)", yTitle: yTitle)
        let ty = f.y(target)
        out += "<line class=\"target\" x1=\"\(n(f.left))\" x2=\"\(n(f.width - f.right))\" y1=\"\(n(ty))\" y2=\"\(n(ty))\" stroke=\"#D55E00\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"><title>target \(percent(target, decimals: 0))</title></line>"
        out += "<text x=\"\(n(f.width - f.right - 4))\" y=\"\(n(ty - 5))\" text-anchor=\"end\" font-size=\"11\" fill=\"#9a3a00\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">target \(percent(target, decimals: 0))</text>"
        var path = "", pen = "M"
        var marks = ""
        for (i, v) in values.enumerated() {
            let x = f.x(Double(i))
            guard let v else {
                pen = "M"
                marks += "<text x=\"\(n(x))\" y=\"\(n(f.y((f.yLo + f.yHi) / 2)))\" text-anchor=\"middle\" font-size=\"12\">*<title>\(escape(xLabels[i])): suppressed</title></text>"
                continue
            }
            path += "\(pen)\(n(x)),\(n(f.y(v)))"
            pen = "L"
            marks += "<circle class=\"pt\" cx=\"\(n(x))\" cy=\"\(n(f.y(v)))\" r=\"3.6\" fill=\"#0072B2\"><title>\(escape(xLabels[i])): \(percent(v))</title></circle>"
        }
        out += "<path class=\"series\" d=\"\(path)\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2.2\"/>" + marks
        if let last = values.last ?? nil {
            out += "<text x=\"\(n(f.x(Double(values.count - 1))))\" y=\"\(n(f.y(last) + (last >= target ? -9 : 16)))\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"600\" fill=\"#00507d\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(percent(last))</text>"
        }
        return out + "</svg>"
    }

    static func thousands(_ v: Int) -> String {
        let digits = String(abs(v))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (v < 0 ? "-" : "") + out
    }

    static func percent(_ r: Double, decimals: Int = 1) -> String { String(format: "%.\(decimals)f%%", r * 100) }

    /// "31 Mar 2026" from "2026-03-31": a full date, unambiguous in any locale.
    static func longDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let m = Int(parts[1]), (1...12).contains(m), let d = Int(parts[2]) else { return iso }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(d) \(months[m - 1]) \(parts[0])"
    }
}
