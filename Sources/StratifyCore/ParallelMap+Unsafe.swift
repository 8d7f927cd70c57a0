import Dispatch

/// Runs `body(i)` for i in 0..<count on all cores and returns the results in index order.
///
/// Invariant that makes the unchecked sendability sound: each slot is written by exactly one
/// iteration, and slots are read only after `concurrentPerform` has returned (which is a full
/// barrier). Results are therefore deterministic: they depend on the index, not on scheduling.
/// Raw storage (not a Swift array property) so concurrent writers to different slots don't trip
/// the runtime's exclusivity checks on a class property.
final class ParallelSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ i: Int, _ value: T) { slots[i] = value }

    func take() -> [T] { slots.map { $0! } }
}

public func parallelMap<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    if count == 1 { return [body(0)] }
    let slots = ParallelSlots<T>(count: count)
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, box.value(i)) }
    }
    return slots.take()
}

/// Carries a non-Sendable closure into `concurrentPerform`. Sound here because the closure only
/// reads shared state (the block being parsed, immutable lookup tables) and writes its own slot.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
