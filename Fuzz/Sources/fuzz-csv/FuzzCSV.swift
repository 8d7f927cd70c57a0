import FuzzSupport
import StratifyIngest

/// Fuzz target (a): the CSV tokenizers and the field decoders (docs/fuzzing.md).
///
/// The input is one chunk of an extract. Properties:
/// 1. the SWAR tokenizer (one shared structural scanner, as the reader uses it) and the scalar
///    reference give identical records;
/// 2. records make progress and tile the chunk, one record per line; every span lies inside its
///    record;
/// 3. a chunk cut just after a line feed, as the reader cuts blocks, parses exactly as the whole
///    input does up to the cut;
/// 4. each record's SWAR result does not depend on the scanner's history (fresh scanner at its start);
/// 5. every field of every record goes through each decoder, and each accepted value agrees with
///    an independent, plain oracle written here (Swift's UTF-8 validation, `Double(String)`, ...).
func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let c = Fuzz.bytes(data, size)
    // The tokenizers' precondition is offset < count, so the empty chunk is never tokenized.
    guard size > 0 else { return 0 }
    let swar = Records.all(c, swar: true)
    let full = Records.all(c, swar: false)
    Fuzz.check(swar == full, "SWAR and scalar tokenizers disagree\nSWAR   \(swar)\nscalar \(full)")
    Records.checkTiling(full, in: c)
    Records.checkCuts(c, full: full)
    for record in full {
        var r = TokenizedRecord()
        SWARTokenizer.next(c, from: record.start, into: &r)
        Fuzz.check(Records.Snapshot(r) == record, "SWAR with a fresh scanner at \(record.start) differs")
        Decoders.check(c, record)
    }
    return 0
}
