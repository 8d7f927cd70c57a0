import StratifyCore

/// One command-line flag: its names, help, and whether it takes a value. Help text is generated
/// from these, so it cannot drift from what the parser accepts.
struct FlagSpec {
    let name: String
    let valueName: String?
    let help: String
}

/// Flags several commands share, defined once.
extension FlagSpec {
    static let reference = FlagSpec(name: "reference", valueName: "dir", help: "Reference data folder. (default: $STRATIFY_REFERENCE or ./reference)")
    /// For commands that read a pipeline definition, whose own `reference` ranks below the environment.
    static let pipelineReference = FlagSpec(name: "reference", valueName: "dir",
                                            help: "Reference data folder. (default: $STRATIFY_REFERENCE, else the pipeline's \"reference\" relative to its file, else ./reference)")
    static let quiet = FlagSpec(name: "quiet", valueName: nil, help: "Print nothing but errors.")
    static let extract = FlagSpec(name: "extract", valueName: "dir", help: "Override the definition's extract folder.")
    static let outputRoot = FlagSpec(name: "output-root", valueName: "dir", help: "Override the definition's output root.")
}

/// A subcommand's interface: positional arguments and flags, rendered as
/// OVERVIEW / USAGE / ARGUMENTS / OPTIONS like swift-argument-parser does.
struct CommandSpec {
    let name: String
    let overview: String
    let positionals: [(name: String, help: String)]
    let flags: [FlagSpec]

    var usage: String {
        let pos = positionals.map { " <\($0.name)>" }.joined()
        let opts = flags.map { f in f.valueName.map { " [--\(f.name) <\($0)>]" } ?? " [--\(f.name)]" }.joined()
        return "stratify \(name)\(pos)\(opts)"
    }

    var help: String {
        var out = "OVERVIEW: \(overview)\n\nUSAGE: \(usage)\n"
        if !positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for p in positionals { out += "  <\(p.name)>".padding(30) + p.help + "\n" }
        }
        out += "\nOPTIONS:\n"
        for f in flags + [FlagSpec(name: "help", valueName: nil, help: "Show help information.")] {
            let left = "  --\(f.name)" + (f.valueName.map { " <\($0)>" } ?? "")
            out += left.padding(30) + f.help + "\n"
        }
        return out
    }

    /// Splits arguments into positionals and flag values, rejecting unknown flags.
    func parse(_ args: [String]) throws(StratifyError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--help" || a == "-h" { parsed.help = true; i += 1; continue }
            if a.hasPrefix("--") {
                var name = String(a.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                guard let spec = flags.first(where: { $0.name == name }) else {
                    let known = (flags.map(\.name) + ["help"]).map { "--" + $0 }
                    throw usageError("unknown option '--\(name)'" + Suggestion.didYouMean("--" + name, among: known))
                }
                if spec.valueName != nil {
                    if let inline { parsed.values[name] = inline; i += 1; continue }
                    guard i + 1 < args.count else { throw usageError("missing value for '--\(name) <\(spec.valueName!)>'") }
                    parsed.values[name] = args[i + 1]
                    i += 2
                } else {
                    parsed.switches.insert(name)
                    i += 1
                }
            } else {
                parsed.positionals.append(a)
                i += 1
            }
        }
        if !parsed.help && parsed.positionals.count != positionals.count {
            if parsed.positionals.count < positionals.count {
                throw usageError("missing expected argument '<\(positionals[parsed.positionals.count].name)>'")
            }
            throw usageError("unexpected argument '\(parsed.positionals[positionals.count])'")
        }
        return parsed
    }

    func usageError(_ message: String) -> StratifyError {
        StratifyError(.usage, message, help: "Usage: \(usage)\n  See 'stratify \(name) --help' for more information.")
    }
}

struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var switches: Set<String> = []
    var help = false

    func day(_ name: String, in spec: CommandSpec) throws(StratifyError) -> Day? {
        guard let text = values[name] else { return nil }
        guard let d = Day(iso: text) else {
            throw spec.usageError("'--\(name)' expects a real date as YYYY-MM-DD")
        }
        return d
    }

    func int(_ name: String, in spec: CommandSpec, range: ClosedRange<Int>) throws(StratifyError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let v = Int(text), range.contains(v) else {
            throw spec.usageError("'--\(name)' expects a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    func fraction(_ name: String, in spec: CommandSpec) throws(StratifyError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let v = Double(text), v >= 0, v <= 1 else {
            throw spec.usageError("'--\(name)' expects a number from 0 to 1 (e.g. 0.01 for 1%)")
        }
        return v
    }
}

/// "Did you mean …?" for a mistyped subcommand or option: the closest known name within a
/// small edit distance, so a typo costs one glance instead of a trip to --help.
enum Suggestion {
    static func didYouMean(_ typed: String, among known: [String]) -> String {
        guard let best = closest(typed, among: known) else { return "" }
        return ". Did you mean '\(best)'?"
    }

    /// The known name nearest `typed` (ties: the first listed), if a third of its length or
    /// fewer edits (at least 1, at most 3) turn one into the other; else nil, as a wild guess misleads.
    static func closest(_ typed: String, among known: [String]) -> String? {
        let t = Array(typed.lowercased())
        var best: (name: String, distance: Int)?
        for name in known {
            let d = distance(t, Array(name.lowercased()))
            if d < (best?.distance ?? Int.max) { best = (name, d) }
        }
        guard let best, best.distance <= min(3, max(1, best.name.count / 3)) else { return nil }
        return best.name
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbours ("rnu" is one swap from "run") each cost 1.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + "  " : self + String(repeating: " ", count: width - count)
    }
}
