/// Reads JSON back into `JSON`, keeping object keys in file order, so a manifest read from disk
/// renders again exactly as it was written (Foundation's parser returns unordered dictionaries).
/// Whole numbers become `.int`, others `.double`. Also reads pipeline definitions, which anyone
/// with write access to `pipelines/` can edit, so nesting and size are bounded: the parser and
/// everything that walks a `JSON` recurse once per level. Duplicate keys are kept, in order; a
/// caller that cares refuses them.
extension JSON {
    public struct ParseError: Error, Sendable {
        public var offset: Int
        /// 1-based, counted in lines (LF) and in characters within the line.
        public var line: Int
        public var column: Int
        public var message: String

        public var location: String { "line \(line), column \(column)" }
    }

    /// The deepest nesting of arrays and objects `parse` accepts by default.
    public static let maxParseDepth = 64

    /// - Parameters:
    ///   - maxDepth: arrays and objects nested deeper are refused.
    ///   - maxBytes: longer input is refused before any of it is parsed.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = maxParseDepth, maxBytes: Int = .max) throws(ParseError) -> JSON {
        var p = JSONParser(bytes: bytes, maxDepth: maxDepth)
        guard bytes.count <= maxBytes else {
            p.i = maxBytes
            throw p.fail("the text is \(bytes.count) bytes; at most \(maxBytes) are read")
        }
        let v = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail("text after the value") }
        return v
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var i = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ message: String) -> JSON.ParseError {
        var line = 1, column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSON.ParseError(offset: i, line: line, column: column, message: message)
    }

    mutating func enter() throws(JSON.ParseError) {
        depth += 1
        guard depth <= maxDepth else { throw fail("nested more than \(maxDepth) levels deep") }
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSON) throws(JSON.ParseError) -> JSON {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("expected \(word)") }
        i += w.count
        return v
    }

    mutating func value() throws(JSON.ParseError) -> JSON {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            try enter()
            defer { depth -= 1 }
            i += 1
            var pairs: [(String, JSON)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            while true {
                skipSpace()
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                pairs.append((k, try value()))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                i += 1
                return .object(pairs)
            }
        case UInt8(ascii: "["):
            try enter()
            defer { depth -= 1 }
            i += 1
            var items: [JSON] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                i += 1
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws(JSON.ParseError) -> JSON {
        let start = i
        var whole = true
        while i < bytes.count, let c = Optional(bytes[i]),
              (0x30...0x39).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { whole = false }
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if whole, let n = Int(text) { return .int(n) }
        guard !text.isEmpty, let d = Double(text) else { i = start; throw fail("expected a value") }
        return .double(d)
    }

    mutating func string() throws(JSON.ParseError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            // JSON forbids raw control characters in strings (`render` escapes them); accepting
            // them would let a tab or a line end hide inside a name that looks plain.
            guard c >= 0x20 else {
                i -= 1
                throw fail("a control character inside a string; write it as an escape such as \\t")
            }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard i + 4 <= bytes.count, var code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                    throw fail("bad \\u escape")
                }
                i += 4
                // A surrogate pair spells one scalar above U+FFFF.
                if (0xD800...0xDBFF).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u"),
                   let low = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16), (0xDC00...0xDFFF).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(e)
            }
        }
        throw fail("unterminated string")
    }
}
