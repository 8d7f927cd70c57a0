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

    var count: Int { slots.count }

    func set(_ i: Int, _ value: T) { slots[i] = value }

    /// Moves the value out of slot i, leaving nil (so the caller holds the only reference).
    func move(_ i: Int) -> T {
        var v: T? = nil
        swap(&v, &slots[i])
        return v!
    }

    func take() -> [T] { slots.map { $0! } }
}

/// At most `workers` iterations run at once (worker w takes w, w + workers, ...), so a
/// `--threads` setting is honoured.
public func parallelMap<T>(_ count: Int, workers: Int = Int.max, _ body: (Int) -> T) -> [T] {
    let workers = max(1, min(workers, count))
    if workers == 1 { return (0..<count).map(body) }
    let slots = ParallelSlots<T>(count: count)
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count { slots.set(i, box.value(i)); i += workers }
        }
    }
    return slots.take()
}

/// Carries a non-Sendable closure into `concurrentPerform`. Sound here because the closure only
/// reads shared state (the block being parsed, immutable lookup tables) and writes its own slot.
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// Like `parallelMap`, but hands each iteration its own input by move, so the body holds the
/// only reference and can grow arrays in place without copy-on-write copies.
///
/// `inputs` is `consuming` and is emptied by `popLast` (a move), not copied: a borrowed array
/// would keep a second reference to every element while the body runs, and each mutation of a
/// large value (a rules engine's accumulators) would copy it first. Callers pass `consume x`.
public func parallelMap<T, R>(consuming inputs: consuming [T], workers: Int = Int.max, _ body: (Int, consuming T) -> R) -> [R] {
    let slots = movedIntoSlots(inputs)
    return parallelMap(slots.count, workers: workers) { i in body(i, slots.move(i)) }
}

/// Mutates each element in place on all cores and returns them in order: `body` gets the only
/// reference to its element (moved out of `inputs`, as in `parallelMap(consuming:)`), so a
/// large value is updated without a copy-on-write copy.
public func parallelUpdate<T>(_ inputs: consuming [T], workers: Int = Int.max, _ body: (Int, inout T) -> Void) -> [T] {
    let slots = movedIntoSlots(inputs)
    return parallelMap(slots.count, workers: workers) { i in
        var value = slots.move(i)
        body(i, &value)
        return value
    }
}

private func movedIntoSlots<T>(_ inputs: consuming [T]) -> ParallelSlots<T> {
    let slots = ParallelSlots<T>(count: inputs.count)
    var i = inputs.count
    while let v = inputs.popLast() { i -= 1; slots.set(i, v) }
    return slots
}
