import Testing
import StratifyCore

/// `JSON.parse` reads what `render` wrote, keys in order, so a merged manifest keeps the order of
/// the shards' manifests.
@Suite struct JSONParseTests {
    @Test func renderParseRenderIsTheSameText() throws {
        let doc = JSON.object([
            ("zeta", .int(1)), ("alpha", .array([.null, .bool(true), .bool(false), .double(0.25), .int(-7)])),
            ("text", .string("quote\" backslash\\ nl\n tab\t nul\u{0} é 🩺")), ("empty", .object([])), ("none", .array([])),
        ])
        let text = doc.render()
        #expect(try JSON.parse(Array(text.utf8)).render() == text)
    }

    @Test func surrogatePairsAndWholeNumbers() throws {
        let v = try JSON.parse(Array(#"{"a": "\ud83e\ude7a", "n": 3, "d": 3.0, "e": 1e3}"#.utf8))
        #expect(v["a"] == .string("🩺"))
        #expect(v["n"] == .int(3))
        #expect(v["d"] == .double(3))
        #expect(v["e"] == .double(1000))
    }

    @Test func badInputSaysWhere() {
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{} x"] {
            #expect(throws: JSON.ParseError.self, "\(bad)") { try JSON.parse(Array(bad.utf8)) }
        }
    }
}

@Suite struct CSVRecordsTests {
    @Test func recordsKeepQuotedLineEndsAndTheirBytes() {
        var w = CSVWriter(crlf: true, byteOrderMark: true)
        w.row(["id", "note"])
        w.row(["1", "two\r\nlines, \"quoted\""])
        w.row(["2", "=formula"])
        let ranges = CSVRecords.ranges(w.bytes, from: CSVRecords.byteOrderMarkLength(w.bytes))
        #expect(ranges.count == 3)
        #expect(ranges.map { w.bytes[$0].count }.reduce(3, +) == w.bytes.count)
        #expect(String(decoding: w.bytes[ranges[2]], as: UTF8.self) == "2,'=formula\r\n")
    }
}

/// `JSON.parse` also reads pipeline definitions, which anyone who can edit `pipelines/` writes:
/// bounded nesting and size, and errors that say where.
@Suite struct JSONParseLimitsTests {
    @Test func nestingDeeperThanTheLimitIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSON.ParseError.self) { try JSON.parse(Array(deep.utf8)) }
    }

    @Test func nestingAtTheLimitParses() throws {
        let n = JSON.maxParseDepth
        let text = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        #expect(throws: Never.self) { try JSON.parse(Array(text.utf8)) }
    }

    @Test func textOverMaxBytesIsRefused() {
        #expect(throws: JSON.ParseError.self) { try JSON.parse(Array("[1, 2, 3]".utf8), maxBytes: 8) }
    }

    @Test func anErrorGivesLineAndColumn() {
        do {
            _ = try JSON.parse(Array("{\n  \"a\": 1,\n  \"b\" 2\n}".utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.line == 3 && error.column == 7, "\(error.location)")
        }
    }
}

@Suite struct JSONParseStrictnessTests {
    @Test func aRawControlCharacterInAStringIsAnError() {
        #expect(throws: JSON.ParseError.self) { try JSON.parse(Array("[\"a\tb\"]".utf8)) }
    }

    @Test func anEscapedControlCharacterIsRead() throws {
        #expect(try JSON.parse(Array(#"["a\tb"]"#.utf8)) == .array([.string("a\tb")]))
    }
}
