/// Per-patient state for `bp_latest`: the K most recent distinct dates with a systolic value and
/// the K most recent with a diastolic value, each with the lowest value seen on that date.
///
/// Why this is exact when it answers: if the latest date present in both kept sets is c, any later
/// date with both readings would be more recent than c, so it would also be kept in both sets
/// (each set keeps its K most recent dates) and would have been found first. When no common date
/// is kept and a set has dropped older dates, an older pair might exist: the answer is then
/// unknown (empty) and counted as `bp_pairing_unresolved` in data quality. Memory is fixed per
/// patient, so it grows with patients, not events.
struct BloodPressureState {
    static let k = 4
    static let noDay = Int32.min

    var sysDates: [Int32], sysValues: [Float]
    var diaDates: [Int32], diaValues: [Float]
    /// Patients whose sets dropped an older date.
    var truncated: [Bool]

    init(patients n: Int) {
        sysDates = Array(repeating: Self.noDay, count: n * Self.k)
        sysValues = Array(repeating: 0, count: n * Self.k)
        diaDates = sysDates
        diaValues = sysValues
        truncated = Array(repeating: false, count: n)
    }

    /// Keeps dates sorted newest first within the patient's K slots.
    @inline(__always)
    static func insert(_ dates: inout [Int32], _ values: inout [Float], _ truncated: inout [Bool],
                       patient p: Int, date d: Int32, value v: Float) {
        let base = p * k
        var i = 0
        while i < k {
            let existing = dates[base + i]
            if existing == d {
                if v < values[base + i] { values[base + i] = v }
                return
            }
            if existing == noDay || d > existing { break }
            i += 1
        }
        if i == k { truncated[p] = true; return }  // older than every kept date
        if dates[base + k - 1] != noDay { truncated[p] = true }
        var j = k - 1
        while j > i {
            dates[base + j] = dates[base + j - 1]
            values[base + j] = values[base + j - 1]
            j -= 1
        }
        dates[base + i] = d
        values[base + i] = v
    }

    mutating func addSystolic(patient p: Int, date d: Int32, value v: Float) {
        Self.insert(&sysDates, &sysValues, &truncated, patient: p, date: d, value: v)
    }

    mutating func addDiastolic(patient p: Int, date d: Int32, value v: Float) {
        Self.insert(&diaDates, &diaValues, &truncated, patient: p, date: d, value: v)
    }

    /// The decimal a reading was written as, back from its Float. Readings are kept as Float to
    /// halve this state's memory, but `Double(Float(176.1))` is 176.100006: written to a cohort
    /// file it would show noise, and compared with a threshold it would not be the recorded value.
    /// A decimal of at most 6 significant digits is within 2^-24 (relative) of its Float, far
    /// inside half a step of the 6-digit grid, so rounding to that grid recovers it exactly.
    static func decimal(_ f: Float) -> Double {
        let x = Double(f)
        let magnitude = abs(x)
        guard x.isFinite, magnitude >= 1e-3, magnitude < 1e6 else { return x }
        var scale = 1.0
        var digits = 1  // digits before the point
        var bound = 10.0
        while magnitude >= bound { digits += 1; bound *= 10 }
        for _ in 0..<(6 - digits) { scale *= 10 }
        // Below 1, digits stays 1: five decimals, enough for any reading a clinician records.
        return (x * scale).rounded() / scale
    }

    enum Result { case none, pair(date: Int32, sys: Float, dia: Float), unresolved }

    func latestPair(_ p: Int) -> Result {
        let base = p * Self.k
        for i in 0..<Self.k {
            let d = sysDates[base + i]
            if d == Self.noDay { break }
            for j in 0..<Self.k where diaDates[base + j] == d {
                return .pair(date: d, sys: sysValues[base + i], dia: diaValues[base + j])
            }
        }
        return truncated[p] ? .unresolved : .none
    }
}
