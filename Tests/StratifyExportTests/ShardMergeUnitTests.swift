import StratifyCore
import StratifyExport
import Testing

/// The pieces `stratify merge` reuses from a run: cohort order keys and prevalence counts.
@Suite struct ShardMergeUnitTests {
    @Test func sortKeysSurviveTheirEncoding() {
        let keys: [CohortSortKey] = [.null, .int(-3), .int(Int64.max), .number(0.1 + 0.2), .number(-0.0), .text("a,\"b\"\né"), .unordered]
        for k in keys {
            if case .string(let s) = k.encoded { #expect(CohortSortKey(decoding: s) == k) } else { #expect(k == .null) }
        }
        #expect(CohortSortKey(decoding: "x:1") == nil)
    }

    @Test func orderIsKeysThenPatientID() {
        let asc = [false], desc = [true]
        #expect(CohortSortKey.precedes([.int(1)], "B".utf8, [.int(2)], "A".utf8, descending: asc))
        #expect(CohortSortKey.precedes([.int(2)], "B".utf8, [.int(1)], "A".utf8, descending: desc))
        #expect(CohortSortKey.precedes([.int(1)], "A".utf8, [.int(1)], "B".utf8, descending: desc))
        #expect(CohortSortKey.precedes([.int(1)], "Z".utf8, [.null], "A".utf8, descending: asc), "nulls last when ascending")
    }

    @Test func unknownValuesSortLastOnADescendingKeyToo() {
        let desc = [true]
        #expect(CohortSortKey.precedes([.int(1)], "Z".utf8, [.null], "A".utf8, descending: desc))
        #expect(!CohortSortKey.precedes([.null], "A".utf8, [.int(1)], "Z".utf8, descending: desc))
        #expect(CohortSortKey.precedes([.null], "A".utf8, [.null], "B".utf8, descending: desc), "two unknowns: by patient_id")
        // A null in the first key decides before later keys do.
        #expect(CohortSortKey.precedes([.number(0.1), .null], "Z".utf8, [.null, .int(9)], "A".utf8, descending: [true, false]))
    }

    @Test func mergedCountsRecomputeTheICBRatio() {
        let a = Prevalence(counts: [("m", .icb, "ICB", 1, 10), ("m", .practice, "P2", 1, 10)])
        let b = Prevalence(counts: [("m", .icb, "ICB", 3, 10), ("m", .practice, "P1", 3, 10), ("x", .icb, "ICB", 0, 0)])
        let merged = Prevalence(merging: [a, b], measures: ["m", "x"])
        #expect(merged.rows.map(\.group) == ["ICB", "P1", "P2"], "groups by name; empty denominators left out")
        #expect(merged.rows[0].numerator == 4 && merged.rows[0].denominator == 20)
        #expect(merged.rows.allSatisfy { $0.icbRatio == 0.2 })
    }
}
