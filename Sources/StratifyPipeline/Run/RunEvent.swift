#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// One structured log event of a run: what happened, with counts and timings only. The CLI
/// writes events as JSON lines (`--log-json FILE`) for schedulers and log shippers; the library
/// only builds them. Fields never hold patient values: events are made from counts, run ids,
/// file names and messages that are themselves free of patient values (StratifyError's rule).
public struct RunEvent: Sendable {
    public var event: String
    public var level: String
    public var fields: [(String, JSON)]

    public init(_ event: String, _ fields: [(String, JSON)] = [], level: String = "info") {
        self.event = event
        self.level = level
        self.fields = fields
    }

    /// The event with `run_id` as its first field, unless it has one: every event of a run
    /// carries it, so a log shipper can group lines without tracking order.
    public func tagged(runID: String) -> RunEvent {
        guard !fields.contains(where: { $0.0 == "run_id" }) else { return self }
        return RunEvent(event, [("run_id", .string(runID))] + fields, level: level)
    }

    public static func warning(_ message: String) -> RunEvent {
        RunEvent("warning", [("message", .string(message))], level: "warning")
    }

    /// One line of JSON: `{"time":…,"level":…,"event":…,…}` with a UTC timestamp.
    public func jsonLine(time: String = RunEvent.utcNow()) -> String {
        JSON.object([("time", .string(time)), ("level", .string(level)), ("event", .string(event))] + fields).renderCompact() + "\n"
    }

    public static func utcNow() -> String {
        var now = time(nil)
        var t = tm()
        gmtime_r(&now, &t)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &t)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One event per ingested table, from the manifest's `tables` section.
    static func ingestStages(tables section: JSON) -> [RunEvent] {
        var events: [RunEvent] = []
        if case .object(let tables) = section {
            for (name, t) in tables {
                var fields: [(String, JSON)] = [("stage", .string("ingest")), ("table", .string(name))]
                for key in ["rows_read", "rows_accepted", "rows_quarantined", "bytes", "seconds"] {
                    if let v = t[key] { fields.append((key, v)) }
                }
                events.append(RunEvent("stage_finished", fields))
            }
        }
        return events
    }

    /// The outputs stage (prevalence, measures, cohorts, report): each cohort's members and the seconds.
    static func outputs(cohorts sections: [(String, JSON)], prevalenceRows: Int, seconds: Double) -> RunEvent {
        var fields: [(String, JSON)] = [("stage", .string("outputs"))]
        if case .object(let cohorts)? = sections.first(where: { $0.0 == "cohorts" })?.1 {
            fields.append(("cohorts", .object(cohorts.map { ($0.0, $0.1["members"] ?? .null) })))
        }
        fields.append(("prevalence_rows", .int(prevalenceRows)))
        fields.append(("seconds", .double(seconds)))
        return RunEvent("stage_finished", fields)
    }
}

/// Times consecutive stages: each `lap` returns the seconds since the previous one.
struct StageClock {
    private var start = MonotonicClock.now()

    mutating func lap() -> Double {
        let now = MonotonicClock.now()
        defer { start = now }
        return Double(now - start) / 1e9
    }
}

extension RunEvent {
    static func stage(_ name: String, seconds: Double, _ fields: [(String, JSON)] = []) -> RunEvent {
        RunEvent("stage_finished", [("stage", .string(name))] + fields + [("seconds", .double(seconds))])
    }
}
