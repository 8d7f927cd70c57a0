import Testing
@testable import StratifyCore

/// `parallelMap(consuming:)` and `parallelUpdate` exist so a body can change its input in place:
/// if the caller's array (or the function's own copy) still referenced an element, every
/// mutation of a large engine would copy its accumulators first (the copy-on-write the interval
/// engines once paid on every batch).
@Suite struct ParallelMapTests {
    final class Token {}

    struct Holder { var token = Token(); var unique = false }

    @Test func parallelUpdateGivesEachIterationTheOnlyReference() {
        let inputs = (0..<8).map { _ in Holder() }
        let after = parallelUpdate(consume inputs, workers: 2) { _, h in h.unique = isKnownUniquelyReferenced(&h.token) }
        #expect(after.map(\.unique) == Array(repeating: true, count: 8))
    }

    @Test func parallelUpdateChangesArraysInPlaceWithoutACopy() {
        let inputs = (0..<4).map { i in [Int](repeating: i, count: 1_000) }
        let before = inputs.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let after = parallelUpdate(consume inputs) { _, array in array[0] = -1 }
        #expect(after.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } } == before)
        #expect(after.map { $0[0] } == [-1, -1, -1, -1])
        #expect(after.map { $0[1] } == [0, 1, 2, 3])
    }

    @Test func parallelMapConsumingMovesTheInputs() {
        let inputs = (0..<4).map { i in [Int](repeating: i, count: 1_000) }
        let before = inputs.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let after = parallelMap(consuming: consume inputs) { _, array in
            array.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        }
        #expect(after == before)
    }

    @Test func resultsComeBackInIndexOrder() {
        #expect(parallelMap(consuming: Array(0..<100), workers: 3) { i, v in i * 1_000 + v } == (0..<100).map { $0 * 1_001 })
    }
}
