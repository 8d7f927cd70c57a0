import StratifyCore
import StratifyExport
import Testing

/// `CohortOrder.sorted` (packed words) gives exactly the order `CohortSortKey.precedes` defines,
/// which is the reference here: nulls last in both directions, -0.0 equal to 0.0, negatives,
/// extremes, ids sharing their first 16 bytes, and the general path for text and NaN.
@Suite struct CohortOrderTests {
    static func reference(_ keys: [[CohortSortKey]], _ ids: [ArraySlice<UInt8>], _ descending: [Bool]) -> [Int] {
        keys.indices.sorted { a, b in CohortSortKey.precedes(keys[a], ids[a], keys[b], ids[b], descending: descending) }
    }

    static func ids(_ n: Int, prefix: String) -> [ArraySlice<UInt8>] {
        // Reversed so input order never matches the id order by accident.
        (0..<n).reversed().map { ArraySlice(Array("\(prefix)\($0)".utf8)) }
    }

    static func randomKeys(_ n: Int, seed: UInt64, make: (inout SeededRandom) -> [CohortSortKey]) -> [[CohortSortKey]] {
        var g = SeededRandom(seed: seed)
        return (0..<n).map { _ in make(&g) }
    }

    @Test func intsAndNumbersWithNullsInEveryDirection() {
        let keys = Self.randomKeys(2_000, seed: 7) { g in
            let i: CohortSortKey = g.next() % 5 == 0 ? .null : .int(Int64(g.next() % 7) - 3)
            let values: [Double] = [-0.0, 0.0, -1.5, 2.25, .infinity, -.infinity, 1e-300]
            let x: CohortSortKey = g.next() % 6 == 0 ? .null : .number(values[Int(g.next() % UInt64(values.count))])
            return [i, x]
        }
        let ids = Self.ids(2_000, prefix: "P")
        for descending in [[false, false], [true, false], [false, true], [true, true]] {
            #expect(CohortOrder.sorted(keys, ids: ids, descending: descending) == Self.reference(keys, ids, descending), "\(descending)")
        }
    }

    @Test func extremeWholeNumbers() {
        let values: [Int64] = [.min, -1, 0, 1, .max]
        let keys = values.map { [CohortSortKey.int($0)] } + [[.null]]
        let ids = Self.ids(keys.count, prefix: "A")
        for d in [false, true] {
            #expect(CohortOrder.sorted(keys, ids: ids, descending: [d]) == Self.reference(keys, ids, [d]))
        }
    }

    @Test func idsSharingTheirFirstSixteenBytesAndOfManyLengths() {
        let stems = ["P", "P0000000000000000", "P00000000000000001", "p", "-", "_", "Z9"]
        var ids: [ArraySlice<UInt8>] = []
        for stem in stems { for k in [1, 10, 2, 100] { ids.append(ArraySlice(Array("\(stem)\(k)".utf8))) } }
        let keys = ids.map { _ in [CohortSortKey.int(1)] }
        #expect(CohortOrder.sorted(keys, ids: ids, descending: [false]) == Self.reference(keys, ids, [false]))
    }

    @Test func textKeysAndNotANumberTakeTheGeneralPath() {
        let ids = Self.ids(300, prefix: "X")
        let text = Self.randomKeys(300, seed: 11) { g in [g.next() % 4 == 0 ? .null : .text(["b", "a", "é", "B"][Int(g.next() % 4)])] }
        #expect(CohortOrder.sorted(text, ids: ids, descending: [true]) == Self.reference(text, ids, [true]))
        let nan = Self.randomKeys(300, seed: 12) { g in [.number(g.next() % 3 == 0 ? .nan : Double(g.next() % 5))] }
        #expect(CohortOrder.sorted(nan, ids: ids, descending: [false]).count == 300)
        let unordered = Self.randomKeys(300, seed: 13) { g in [g.next() % 3 == 0 ? .null : .unordered, .int(Int64(g.next() % 3))] }
        #expect(CohortOrder.sorted(unordered, ids: ids, descending: [false, true]) == Self.reference(unordered, ids, [false, true]))
    }

    @Test func noKeysOrdersByPatientID() {
        let ids = Self.ids(50, prefix: "Q")
        let keys = Array(repeating: [CohortSortKey](), count: 50)
        let order = CohortOrder.sorted(keys, ids: ids, descending: [])
        #expect(order.map { ids[$0] } == ids.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
