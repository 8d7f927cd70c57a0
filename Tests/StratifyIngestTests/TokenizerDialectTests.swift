import Testing
@testable import StratifyIngest

private let kinds: [TokenizerKind] = [.scalar, .swar]

@Test(arguments: kinds) func quotedFieldMayHoldACommaAndAnEscapedQuote(kind: TokenizerKind) {
    let records = tokenizeAll("a,\"b,c\",\"say \"\"hi\"\"\"\n", kind)
    #expect(records.count == 1)
    #expect(records.first?.status == .ok)
    #expect(records.first?.strings == ["a", "b,c", "say \"hi\""])
}

@Test(arguments: kinds) func spacesAreTrimmedOutsideAndInsideQuotes(kind: TokenizerKind) {
    let records = tokenizeAll("  a  , \" b \" ,c \n", kind)
    #expect(records.first?.status == .ok)
    #expect(records.first?.strings == ["a", "b", "c"])
}

@Test(arguments: kinds) func crlfEndsARecordAndIsNotPartOfIt(kind: TokenizerKind) {
    let records = tokenizeAll("a,b\r\n\"c\"\r\n", kind)
    #expect(records.count == 2)
    #expect(records.map(\.strings) == [["a", "b"], ["c"]])
    #expect(records.first?.end == 3)
    #expect(records.first?.next == 5)
    #expect(records.map(\.lineFeeds) == [1, 1])
    #expect(records.map(\.status) == [.ok, .ok])
}

@Test(arguments: kinds) func lastLineWithoutNewline(kind: TokenizerKind) {
    let records = tokenizeAll("a,b\nc,d", kind)
    #expect(records.count == 2)
    #expect(records.last?.strings == ["c", "d"])
    #expect(records.last?.lineFeeds == 0)
    #expect(records.last?.next == 7)
    #expect(records.last?.status == .ok)
}

@Test(arguments: kinds) func blankLineIsOneEmptyField(kind: TokenizerKind) {
    let records = tokenizeAll("a,b\n\nc,d\n", kind)
    #expect(records.count == 3)
    #expect(records[1].fieldCount == 1)
    #expect(records[1].fields == [[]])
    #expect(records[1].status == .ok)
    #expect(records[1].lineFeeds == 1)
}

@Test(arguments: kinds) func trailingCommaMakesAnEmptyLastField(kind: TokenizerKind) {
    #expect(tokenizeAll("a,\n", kind).first?.strings == ["a", ""])
    #expect(tokenizeAll("\"\",b\n", kind).first?.strings == ["", "b"])
}

@Test(arguments: kinds) func quoteInsideAnUnquotedFieldIsABrokenQuote(kind: TokenizerKind) {
    let records = tokenizeAll("ab\"c,d\nx,y\n", kind)
    #expect(records.map(\.status) == [.brokenQuote, .ok])
    #expect(records.first?.lineFeeds == 1)
    #expect(records.last?.strings == ["x", "y"])
}

@Test(arguments: kinds) func textAfterAClosingQuoteIsABrokenQuote(kind: TokenizerKind) {
    let records = tokenizeAll("\"ab\"x,d\nx,y\n", kind)
    #expect(records.map(\.status) == [.brokenQuote, .ok])
    #expect(records.first?.fieldCount == 2)
    #expect(records.last?.strings == ["x", "y"])
}

@Test(arguments: kinds) func aQuoteOpenAtTheEndOfALineEndsTheRecordThere(kind: TokenizerKind) {
    let records = tokenizeAll("a,\"x\ny\nz\",b\nnext\n", kind)
    #expect(records.map(\.status) == [.unterminatedQuote, .ok, .brokenQuote, .ok])
    #expect(records.map(\.lineFeeds) == [1, 1, 1, 1])
    #expect(records.first?.end == 4)
    #expect(records.last?.strings == ["next"])
}

@Test(arguments: kinds) func aStrayQuoteCostsOnlyItsOwnLine(kind: TokenizerKind) {
    let text = "x,\"abc\ny,z\n"
    let records = tokenizeAll(text, kind)
    #expect(records.count == 2)
    #expect(records.first?.status == .unterminatedQuote)
    #expect(records.first?.end == 6)
    #expect(records.first?.next == 7)
    #expect(records.first?.lineFeeds == 1)
    #expect(records.last?.status == .ok)
    #expect(records.last?.strings == ["y", "z"])
}

@Test(arguments: kinds) func aQuoteOpenAtACRLFLineEndExcludesTheCR(kind: TokenizerKind) {
    let records = tokenizeAll("x,\"abc\r\ny\r\n", kind)
    #expect(records.first?.status == .unterminatedQuote)
    #expect(records.first?.end == 6)
    #expect(records.first?.next == 8)
    #expect(records.last?.strings == ["y"])
}

@Test(arguments: kinds) func unterminatedQuoteOnTheLastLineWithoutNewline(kind: TokenizerKind) {
    let records = tokenizeAll("a\nx,\"abc", kind)
    #expect(records.map(\.status) == [.ok, .unterminatedQuote])
    #expect(records.last?.next == 8)
    #expect(records.last?.lineFeeds == 0)
}

/// Found by fuzzing (docs/fuzzing.md): a quote open at a line feed, then a line that RFC 4180
/// would have read as that field's close. Each line is its own record; no span runs past it.
@Test(arguments: kinds) func unterminatedQuoteRecordKeepsNoFieldSpansPastItsLine(kind: TokenizerKind) {
    let records = tokenizeAll("\"\n\",\"", kind)
    #expect(records.map(\.status) == [.unterminatedQuote, .ok])
    #expect(records.first?.end == 1)
    #expect(records.first?.fieldCount == 0)
    #expect(records.last?.start == 2)
    #expect(records.last?.strings == [","])
}
