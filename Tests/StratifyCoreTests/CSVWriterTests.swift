import Testing
import StratifyCore

private func line(_ cells: [String], crlf: Bool = false) -> String {
    var w = CSVWriter(crlf: crlf)
    w.row(cells)
    return String(decoding: w.bytes, as: UTF8.self)
}

@Test func plainCellsAreNotQuoted() {
    #expect(line(["a", "b c", "", "42"]) == "a,b c,,42\n")
}

@Test func commaQuoteAndNewlinesForceQuoting() {
    #expect(line(["a,b"]) == "\"a,b\"\n")
    #expect(line(["say \"hi\""]) == "\"say \"\"hi\"\"\"\n")
    #expect(line(["two\nlines"]) == "\"two\nlines\"\n")
    #expect(line(["cr\rhere"]) == "\"cr\rhere\"\n")
}

@Test func formulaStartsGetALeadingApostrophe() {
    #expect(line(["=1+2"]) == "'=1+2\n")
    #expect(line(["+44"]) == "'+44\n")
    #expect(line(["-3"]) == "'-3\n")
    #expect(line(["@SUM(A1)"]) == "'@SUM(A1)\n")
    #expect(line(["\tx"]) == "'\tx\n")
}

@Test func formulaStartsThatAlsoNeedQuotesKeepTheApostropheInsideTheQuotes() {
    #expect(line(["\rx"]) == "\"'\rx\"\n")
    #expect(line(["=A1,B1"]) == "\"'=A1,B1\"\n")
}

@Test func formulaCharactersLaterInACellAreLeftAlone() {
    #expect(line(["a=b", "x-y", "e@mail"]) == "a=b,x-y,e@mail\n")
}

@Test func crlfAndByteOrderMark() {
    var w = CSVWriter(crlf: true, byteOrderMark: true)
    w.row(["a", "b"])
    w.row(["c"])
    #expect(w.bytes == [0xEF, 0xBB, 0xBF] + Array("a,b\r\nc\r\n".utf8))
}

@Test func noByteOrderMarkByDefault() {
    var w = CSVWriter()
    w.row(["a"])
    #expect(w.bytes == Array("a\n".utf8))
}
