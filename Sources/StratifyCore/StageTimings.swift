/// Wall time per pipeline stage, recorded only while a caller has bound a recorder with
/// `StageTimings.$current.withValue(...)` (the benchmark does; a normal run binds none, so each
/// hook costs one task-local read). Stages are named by the code that runs them, so the numbers
/// measure the real run, not a re-implementation of it.
///
/// Records are appended by the thread that bound the recorder: the stages run one after another
/// on the run's thread (the read-ahead parser thread records nothing). That is why the class can
/// be `@unchecked Sendable` without a lock.
public final class StageTimings: @unchecked Sendable {
    @TaskLocal public static var current: StageTimings?

    /// (stage, seconds) in the order the stages finished.
    public private(set) var entries: [(stage: String, seconds: Double)] = []

    public init() {}

    /// Runs `body`, recording its wall time under `stage` when a recorder is bound.
    @inline(__always)
    public static func measure<R, E: Error>(_ stage: String, _ body: () throws(E) -> R) throws(E) -> R {
        guard let recorder = current else { return try body() }
        let t0 = MonotonicClock.now()
        defer { recorder.entries.append((stage, MonotonicClock.seconds(since: t0))) }
        return try body()
    }

    /// Records a time measured elsewhere (e.g. a table's read time, kept for the manifest anyway).
    public static func record(_ stage: String, seconds: Double) {
        current?.entries.append((stage, seconds))
    }
}
