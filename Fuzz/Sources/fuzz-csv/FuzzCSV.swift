import FuzzSupport
import StratifyIngest

/// Fuzz target (a): the CSV tokenizers and the field decoders (docs/fuzzing.md).
///
/// The input is one chunk of an extract. Properties:
/// 1. the SWAR tokenizer (one shared structural scanner, as the reader uses it) and the scalar
///    reference give identical records, at the end of input (`final`) and mid-stream;
/// 2. records make progress and tile the chunk; every span lies inside its record;
/// 3. a chunk cut just after a line feed, as the reader cuts blocks, parses as the whole input
///    does up to the cut, then at most one `.incomplete` record;
/// 4. each record's SWAR result does not depend on the scanner's history (fresh scanner at its start);
/// 5. every field of every record goes through each decoder, and each accepted value agrees with
///    an independent, plain oracle written here (Swift's UTF-8 validation, `Double(String)`, ...).
func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let c = Fuzz.bytes(data, size)
    // The tokenizers' precondition is offset < count, so the empty chunk is never tokenized.
    guard size > 0 else { return 0 }
    for final in [true, false] {
        let swar = Records.all(c, final: final, swar: true)
        let scalar = Records.all(c, final: final, swar: false)
        Fuzz.check(swar == scalar, "SWAR and scalar tokenizers disagree (final: \(final))\nSWAR   \(swar)\nscalar \(scalar)")
        Records.checkTiling(scalar, in: c, final: final)
    }
    let full = Records.all(c, final: true, swar: false)
    Records.checkCuts(c, full: full)
    for record in full {
        var r = TokenizedRecord()
        SWARTokenizer.next(c, from: record.start, final: true, into: &r)
        Fuzz.check(Records.Snapshot(r) == record, "SWAR with a fresh scanner at \(record.start) differs")
        Decoders.check(c, record)
    }
    return 0
}
