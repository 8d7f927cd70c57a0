/// Per-patient state for `bp_latest`: exact for every arrival order of the readings (rules.md §3,
/// revised 2026-12-06: every reading up to D counts, however many one-sided readings came later).
///
/// Why this is exact: after any set of readings, in any order,
/// - `pairDate[p]` is the latest date seen with both a systolic and a diastolic reading, and
///   `pairSys[p]`, `pairDia[p]` the lowest of each seen on that date;
/// - the patient's open dates are exactly the dates after `pairDate[p]` seen on one side only,
///   each with the lowest value seen on it.
/// The answer can only move later, so a reading dated before `pairDate[p]` can never matter and
/// is dropped. A reading that gives an open date its other side makes that date the new pair date
/// and closes every open date up to it. Nothing is ever guessed or left unresolved.
///
/// Open dates are the only state that can grow without bound (a patient with many systolic-only
/// dates after the last pair, arriving before their diastolic readings, if ever). The first `k`
/// live in fixed slots next to the pair; a patient that needs more moves its open dates to
/// `spill`, a side table holding only such patients. So memory is proportional to patients, plus
/// the open dates of the few patients that exceed the slots.
///
/// Values are the decoder's Doubles, not Floats: thresholds compare the recorded decimal exactly
/// (139.99999 is below 140; see docs/rules.md §3 "Exact thresholds").
struct BloodPressureState {
    static let k = 2
    static let noDay = Int32.min
    /// In a patient's first slot: its open dates are in `spill`. Never a reading's date (≤ D).
    static let spilled = Int32.max
    static let systolic: UInt8 = 0, diastolic: UInt8 = 1

    var pairDate: [Int32]
    var pairSys: [Double], pairDia: [Double]
    /// `k` slots per patient; `noDay` is a free slot.
    var slotDate: [Int32]
    var slotValue: [Double]
    var slotSide: [UInt8]
    var spill: [Int32: OpenDates] = [:]

    init(patients n: Int) {
        pairDate = Array(repeating: Self.noDay, count: n)
        pairSys = Array(repeating: .nan, count: n)
        pairDia = pairSys
        slotDate = Array(repeating: Self.noDay, count: n * Self.k)
        slotValue = Array(repeating: .nan, count: n * Self.k)
        slotSide = Array(repeating: 0, count: n * Self.k)
    }

    mutating func addSystolic(patient p: Int, date d: Int32, value v: Double) {
        add(patient: p, date: d, side: Self.systolic, value: v)
    }

    mutating func addDiastolic(patient p: Int, date d: Int32, value v: Double) {
        add(patient: p, date: d, side: Self.diastolic, value: v)
    }

    mutating func add(patient p: Int, date d: Int32, side: UInt8, value v: Double) {
        let c = pairDate[p]
        if d < c { return }
        if d == c {
            if side == Self.systolic { if v < pairSys[p] { pairSys[p] = v } }
            else if v < pairDia[p] { pairDia[p] = v }
            return
        }
        let base = p * Self.k
        if slotDate[base] == Self.spilled {
            addSpilled(patient: p, date: d, side: side, value: v)
            return
        }
        var free = -1
        for i in base..<(base + Self.k) {
            let sd = slotDate[i]
            if sd == d {
                if slotSide[i] == side {
                    if v < slotValue[i] { slotValue[i] = v }
                } else {
                    let other = slotValue[i]
                    pair(patient: p, date: d, sys: side == Self.systolic ? v : other, dia: side == Self.systolic ? other : v)
                }
                return
            }
            if sd == Self.noDay && free < 0 { free = i }
        }
        if free >= 0 {
            slotDate[free] = d; slotValue[free] = v; slotSide[free] = side
            return
        }
        var open = OpenDates()
        for i in base..<(base + Self.k) {
            open.insert(date: slotDate[i], side: slotSide[i], value: slotValue[i])
            slotDate[i] = Self.noDay
        }
        open.insert(date: d, side: side, value: v)
        slotDate[base] = Self.spilled
        spill[Int32(p)] = open
    }

    /// A new latest pair on `d` (after the old one): open dates up to `d` can no longer matter.
    private mutating func pair(patient p: Int, date d: Int32, sys: Double, dia: Double) {
        pairDate[p] = d; pairSys[p] = sys; pairDia[p] = dia
        for i in (p * Self.k)..<(p * Self.k + Self.k) where slotDate[i] <= d { slotDate[i] = Self.noDay }
    }

    private mutating func addSpilled(patient p: Int, date d: Int32, side: UInt8, value v: Double) {
        let key = Int32(p)
        // Take the entry out so mutating it does not copy its arrays.
        var open = spill.removeValue(forKey: key)!
        defer { spill[key] = open }
        if let r = open.byDate[d] {
            if r.side == side {
                if v < r.value { open.byDate[d] = OpenDates.Reading(side: side, value: v) }
                return
            }
            pairDate[p] = d
            pairSys[p] = side == Self.systolic ? v : r.value
            pairDia[p] = side == Self.systolic ? r.value : v
            open.close(through: d)
            return
        }
        open.insert(date: d, side: side, value: v)
    }

    enum Result { case none, pair(date: Int32, sys: Double, dia: Double) }

    func latestPair(_ p: Int) -> Result {
        let d = pairDate[p]
        return d == Self.noDay ? .none : .pair(date: d, sys: pairSys[p], dia: pairDia[p])
    }

    /// How many patients have needed the side table (for tests and measurement).
    var spilledPatients: Int { spill.count }
}

/// One patient's open dates once they outgrow the fixed slots: looked up by date, and closed
/// oldest first through a min-heap of the same dates, so each date is inserted and removed once
/// (a patient with m one-sided dates costs O(m log m) in any arrival order, never O(m²)).
struct OpenDates {
    struct Reading { var side: UInt8; var value: Double }
    var byDate: [Int32: Reading] = [:]
    var heap: [Int32] = []

    mutating func insert(date d: Int32, side: UInt8, value v: Double) {
        if let r = byDate[d] {
            // Only reached while moving slots here, where dates are distinct; kept total anyway.
            if r.side == side && v < r.value { byDate[d] = Reading(side: side, value: v) }
            return
        }
        byDate[d] = Reading(side: side, value: v)
        heap.append(d)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent] <= heap[i] { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    /// Removes every open date ≤ `d`.
    mutating func close(through d: Int32) {
        while let top = heap.first, top <= d {
            byDate[top] = nil
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < heap.count && heap[l] < heap[smallest] { smallest = l }
                if r < heap.count && heap[r] < heap[smallest] { smallest = r }
                if smallest == i { break }
                heap.swapAt(i, smallest)
                i = smallest
            }
        }
    }
}
