import StratifyCore

/// A position in a rule-set file, for error messages that point at the token.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "line \(line), column \(column)" }
}

public enum TokenKind: Sendable, Equatable {
    case identifier(String)
    case number(Double, isInteger: Bool)
    case string(String)
    case symbol(String)   // = == != < <= > >= + - * / ( ) [ ] , . | &
    case newline
    case end
}

public struct Token: Sendable {
    public var kind: TokenKind
    public var location: SourceLocation
    /// The token as written, for error messages.
    public var text: String
}

/// Splits rule-set text into tokens. `#` starts a comment to the end of the line; statements end
/// at a newline unless a bracket is open.
public struct Lexer {
    public static func tokenize(_ source: String, file: String) throws(StratifyError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(source.unicodeScalars)
        var i = 0, line = 1, col = 1
        var depth = 0
        func loc() -> SourceLocation { SourceLocation(line: line, column: col) }
        func fail(_ msg: String, _ at: SourceLocation) -> StratifyError {
            StratifyError(.usage, "\(file), \(at): \(msg)")
        }
        while i < chars.count {
            let ch = chars[i]
            if ch == "\n" {
                // An indented, non-blank line continues the statement (so long rules can wrap).
                if depth == 0 && !continues(chars, after: i) {
                    tokens.append(Token(kind: .newline, location: loc(), text: "end of line"))
                }
                i += 1; line += 1; col = 1
                continue
            }
            if ch == " " || ch == "\t" || ch == "\r" { i += 1; col += 1; continue }
            if ch == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            let start = loc()
            if ch == "'" || ch == "\"" {
                var j = i + 1
                var text = ""
                while j < chars.count && chars[j] != ch && chars[j] != "\n" { text.unicodeScalars.append(chars[j]); j += 1 }
                guard j < chars.count && chars[j] == ch else { throw fail("unterminated string", start) }
                tokens.append(Token(kind: .string(text), location: start, text: String(ch) + text + String(ch)))
                col += j - i + 1; i = j + 1
                continue
            }
            if ch.properties.numericType != nil && ch.isASCII {
                var j = i
                var text = ""
                var sawDot = false
                while j < chars.count && ((chars[j].isASCII && chars[j].properties.numericType != nil) || (chars[j] == "." && !sawDot)) {
                    if chars[j] == "." {
                        // "1." followed by a letter is not a decimal (no such syntax); stop.
                        guard j + 1 < chars.count, chars[j + 1].properties.numericType != nil else { break }
                        sawDot = true
                    }
                    text.unicodeScalars.append(chars[j]); j += 1
                }
                tokens.append(Token(kind: .number(Double(text)!, isInteger: !sawDot), location: start, text: text))
                col += j - i; i = j
                continue
            }
            if ch.properties.isAlphabetic || ch == "_" {
                var j = i
                var text = ""
                while j < chars.count && (chars[j].properties.isAlphabetic || chars[j] == "_" || (chars[j].isASCII && chars[j].properties.numericType != nil)) {
                    text.unicodeScalars.append(chars[j]); j += 1
                }
                tokens.append(Token(kind: .identifier(text), location: start, text: text))
                col += j - i; i = j
                continue
            }
            let two = i + 1 < chars.count ? String(ch) + String(chars[i + 1]) : ""
            if ["==", "!=", "<=", ">="].contains(two) {
                tokens.append(Token(kind: .symbol(two), location: start, text: two))
                i += 2; col += 2
                continue
            }
            let one = String(ch)
            guard "=<>+-*/()[],.|&".contains(one) else { throw fail("unexpected character '\(one)'", start) }
            if one == "(" || one == "[" { depth += 1 }
            if one == ")" || one == "]" { depth = max(0, depth - 1) }
            tokens.append(Token(kind: .symbol(one), location: start, text: one))
            i += 1; col += 1
        }
        tokens.append(Token(kind: .newline, location: loc(), text: "end of file"))
        tokens.append(Token(kind: .end, location: loc(), text: "end of file"))
        return tokens
    }

    /// True when the line after the newline at `i` starts with a space or tab and holds more than
    /// a comment.
    static func continues(_ chars: [Unicode.Scalar], after i: Int) -> Bool {
        var j = i + 1
        guard j < chars.count, chars[j] == " " || chars[j] == "\t" else { return false }
        while j < chars.count && (chars[j] == " " || chars[j] == "\t" || chars[j] == "\r") { j += 1 }
        return j < chars.count && chars[j] != "\n" && chars[j] != "#"
    }
}
