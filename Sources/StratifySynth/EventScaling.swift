import StratifyCore

/// `--events-per-patient-scale K`: each patient's event and medication rows, K times over, the
/// extra copies moved to other dates of the patient's life. Repeating rows on their own dates
/// (what `stratify-bench --events-scale` does to a finished extract) would add only rows whose
/// patient and date the pipeline has already seen; a patient with a longer history has more
/// *dates*, and per-patient state that grows with distinct dates shows only then.
enum EventScaling {
    /// Copies 2...K of `rows` (each row `patient_id,date,...` ending in a line feed). Within one
    /// copy every row of one original date moves to the same new date, so readings taken together
    /// (systolic and diastolic) stay together. New dates are uniform in [date of birth, last
    /// contact] and never the original date.
    static func extraCopies(of rows: [UInt8], copies: Int, person: PatientGenerator.Person,
                            rng: inout SeededRandom) -> [UInt8] {
        guard copies > 0, !rows.isEmpty else { return [] }
        let lo = Int(person.dob.rawValue), hi = Int(person.lastContact.rawValue)
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * copies)
        for _ in 0..<copies {
            var moved: [Int32: Day] = [:]
            var start = 0
            while start < rows.count, let end = rows[start...].firstIndex(of: 0x0A) {
                defer { start = end + 1 }
                guard let comma = rows[start..<end].firstIndex(of: 0x2C), comma + 11 <= end,
                      let day = parse(rows, comma + 1) else {
                    out.append(contentsOf: rows[start...end])
                    continue
                }
                let target: Day
                if let d = moved[day.rawValue] {
                    target = d
                } else {
                    target = newDay(avoiding: day, lo: lo, hi: hi, rng: &rng)
                    moved[day.rawValue] = target
                }
                var b = RowBuffer()
                b.append(day: target)
                out.append(contentsOf: rows[start...comma])
                out.append(contentsOf: b.bytes)
                out.append(contentsOf: rows[(comma + 11)...end])
            }
        }
        return out
    }

    static func newDay(avoiding day: Day, lo: Int, hi: Int, rng: inout SeededRandom) -> Day {
        // A life of one day (a newborn seen today) has no other date: the day after it will do.
        guard hi > lo else { return day.plusDays(1) }
        while true {
            let d = Day(rawValue: Int32(lo + rng.below(hi - lo + 1)))
            if d != day { return d }
        }
    }

    /// A `YYYY-MM-DD` date at `at`, as `RowBuffer.append(day:)` writes them.
    static func parse(_ b: [UInt8], _ at: Int) -> Day? {
        func digits(_ from: Int, _ n: Int) -> Int? {
            var v = 0
            for i in from..<(from + n) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b[at + 4] == 0x2D, b[at + 7] == 0x2D, let y = digits(at, 4), let m = digits(at + 5, 2),
              let d = digits(at + 8, 2) else { return nil }
        return Day(year: y, month: m, day: d)
    }
}
