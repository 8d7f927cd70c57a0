/// Per-patient state for `bp_latest`: exact for every arrival order of the readings (rules.md §3,
/// revised 2026-12-06: every reading up to D counts, however many one-sided readings came later).
///
/// Why this is exact: after any set of readings, in any order,
/// - `pairDate` is the latest date seen with both a systolic and a diastolic reading, and
///   `pairValues` the lowest of each seen on that date;
/// - the patient's open dates are exactly the dates after `pairDate[p]` seen on one side only,
///   each with the lowest value seen on it.
/// The answer can only move later, so a reading dated before `pairDate[p]` can never matter and
/// is dropped. A reading that gives an open date its other side makes that date the new pair date
/// and closes every open date up to it. Nothing is ever guessed or left unresolved.
///
/// Why memory stays proportional to patients: besides 49 bytes per patient (`Patient`, the pair's
/// values and a list count), only open dates are kept, and any exact method must keep them (each
/// could still be completed and become the answer, with its value). The first two live in the
/// patient's own record (`Patient`), so a reading in a shuffled extract, where a patient's
/// readings are far apart, usually touches one cache line: walking a pool list cost a cache miss
/// a node, half of this type's time on the shuffled 100k extract (`perf annotate`). More open dates
/// go to one node pool shared by all patients, a short linked list per patient, and closed nodes
/// are reused, so the pool holds the open dates of the moment. A list is scanned per reading, so a
/// patient with more than `listLimit` open dates moves them to `spill` (by date, plus a min-heap to
/// close them oldest first): its readings cost O(log m), not O(m), for m open dates, in any
/// arrival order.
///
/// Values are the decoder's Doubles, not Floats: thresholds compare the recorded decimal exactly
/// (139.99999 is below 140; see docs/rules.md §3 "Exact thresholds").
struct BloodPressureState {
    static let noDay = Int32.min
    static let endOfList: Int32 = -1
    /// In `head`: the patient's open dates are in `spill`.
    static let spilled: Int32 = -2
    /// Open dates a patient may have (inline and in its list) before they move to `spill`.
    static let listLimit: UInt8 = 32
    static let inlineSlots: UInt8 = 2
    static let systolic: UInt8 = 0, diastolic: UInt8 = 1
    /// An empty inline slot. A date and side pack into one Int32 as `date * 2 + side`
    /// (`packed`); this one would be day -2^30, millions of years before any valid date.
    static let emptySlot = Int32.min

    @inline(__always) static func packed(_ d: Int32, _ side: UInt8) -> Int32 { d << 1 | Int32(side) }

    /// What nearly every reading reads and writes, in one 32-byte record: the pair's date, the
    /// patient's list, and two open dates inline. The pair's values and the list's length are
    /// read less often (a reading on the pair date, a list change) and live apart.
    struct Patient {
        var pairDate: Int32 = BloodPressureState.noDay
        /// First node of the patient's pool list, `endOfList`, or `spilled`.
        var head: Int32 = BloodPressureState.endOfList
        var slot0: Int32 = BloodPressureState.emptySlot, slot1: Int32 = BloodPressureState.emptySlot
        var value0: Double = .nan, value1: Double = .nan
    }

    /// A pool node: an open date, its side, its lowest value and the next node of its list (or
    /// of the free list), together. Date and side share one Int32 (`packed`) so a node is 16
    /// bytes, not 24: the pool is the one structure that grows with a patient's history when
    /// readings arrive shuffled (BENCHMARKS.md, "memory against history length").
    struct Node {
        var value: Double
        private var dateAndSide: Int32
        var next: Int32
        var date: Int32 { dateAndSide >> 1 }
        var side: UInt8 { UInt8(truncatingIfNeeded: dateAndSide & 1) }

        init(value: Double, date: Int32, next: Int32, side: UInt8) {
            self.value = value
            dateAndSide = BloodPressureState.packed(date, side)
            self.next = next
        }
    }

    var patients: [Patient]
    /// The pair date's lowest systolic (`2p`) and diastolic (`2p + 1`).
    var pairValues: [Double]
    /// Open dates in each patient's pool list (its inline ones not counted).
    var listCount: [UInt8]
    /// About how many bytes the per-patient records and the reading pool hold.
    var memoryBytes: Int {
        patients.capacity * MemoryLayout<Patient>.stride + pairValues.capacity * 8 + listCount.capacity
            + nodes.capacity * MemoryLayout<Node>.stride
    }
    var nodes: [Node] = []
    var freeNodes: Int32 = endOfList
    var spill: [Int32: OpenDates] = [:]

    init(patients n: Int) {
        patients = Array(repeating: Patient(), count: n)
        pairValues = Array(repeating: .nan, count: 2 * n)
        listCount = Array(repeating: 0, count: n)
    }

    mutating func addSystolic(patient p: Int, date d: Int32, value v: Double) {
        add(patient: p, date: d, side: Self.systolic, value: v)
    }

    mutating func addDiastolic(patient p: Int, date d: Int32, value v: Double) {
        add(patient: p, date: d, side: Self.diastolic, value: v)
    }

    mutating func add(patient p: Int, date d: Int32, side: UInt8, value v: Double) {
        let record = patients[p]
        if d < record.pairDate { return }
        if d == record.pairDate {
            let i = 2 * p + Int(side)
            if v < pairValues[i] { pairValues[i] = v }
            return
        }
        let same = Self.packed(d, side), other = Self.packed(d, 1 - side)
        if record.slot0 == same { if v < record.value0 { patients[p].value0 = v }; return }
        if record.slot1 == same { if v < record.value1 { patients[p].value1 = v }; return }
        if record.slot0 == other { pair(patient: p, date: d, reading: v, side: side, other: record.value0); return }
        if record.slot1 == other { pair(patient: p, date: d, reading: v, side: side, other: record.value1); return }
        if record.head == Self.spilled {
            addSpilled(patient: p, date: d, side: side, value: v)
            return
        }
        var i = record.head
        while i != Self.endOfList {
            let n = Int(i)
            let node = nodes[n]
            if node.date == d {
                if node.side == side {
                    if v < node.value { nodes[n].value = v }
                } else {
                    pair(patient: p, date: d, reading: v, side: side, other: node.value)
                }
                return
            }
            i = node.next
        }
        if record.slot0 == Self.emptySlot { patients[p].slot0 = same; patients[p].value0 = v; return }
        if record.slot1 == Self.emptySlot { patients[p].slot1 = same; patients[p].value1 = v; return }
        if listCount[p] == Self.listLimit - Self.inlineSlots {
            moveToSpill(patient: p)
            addSpilled(patient: p, date: d, side: side, value: v)
            return
        }
        patients[p].head = newNode(date: d, side: side, value: v, next: record.head)
        listCount[p] += 1
    }

    /// Date `d` now has both sides: it becomes the pair date, and every open date up to it closes
    /// (inline and in the list; a spilled patient's are closed by `addSpilled`).
    private mutating func pair(patient p: Int, date d: Int32, reading v: Double, side: UInt8, other: Double) {
        setPair(patient: p, date: d, reading: v, side: side, other: other)
        if patients[p].slot0 != Self.emptySlot && patients[p].slot0 >> 1 <= d { patients[p].slot0 = Self.emptySlot }
        if patients[p].slot1 != Self.emptySlot && patients[p].slot1 >> 1 <= d { patients[p].slot1 = Self.emptySlot }
        closeList(patient: p, through: d)
    }

    @inline(__always)
    private mutating func setPair(patient p: Int, date d: Int32, reading v: Double, side: UInt8, other: Double) {
        patients[p].pairDate = d
        pairValues[2 * p] = side == Self.systolic ? v : other
        pairValues[2 * p + 1] = side == Self.systolic ? other : v
    }

    private mutating func newNode(date d: Int32, side: UInt8, value v: Double, next: Int32) -> Int32 {
        let node = Node(value: v, date: d, next: next, side: side)
        if freeNodes != Self.endOfList {
            let n = freeNodes
            freeNodes = nodes[Int(n)].next
            nodes[Int(n)] = node
            return n
        }
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// Unlinks the patient's list dates ≤ `d` onto the free list.
    private mutating func closeList(patient p: Int, through d: Int32) {
        var previous = Self.endOfList
        var i = patients[p].head
        while i != Self.endOfList {
            let n = Int(i)
            let next = nodes[n].next
            if nodes[n].date <= d {
                if previous == Self.endOfList { patients[p].head = next } else { nodes[Int(previous)].next = next }
                nodes[n].next = freeNodes
                freeNodes = i
                listCount[p] -= 1
            } else {
                previous = i
            }
            i = next
        }
    }

    /// Every open date of the patient, inline and listed, into its side table.
    private mutating func moveToSpill(patient p: Int) {
        var open = OpenDates()
        for (slot, value) in [(patients[p].slot0, patients[p].value0), (patients[p].slot1, patients[p].value1)] where slot != Self.emptySlot {
            open.insert(date: slot >> 1, side: UInt8(truncatingIfNeeded: slot & 1), value: value)
        }
        patients[p].slot0 = Self.emptySlot
        patients[p].slot1 = Self.emptySlot
        var i = patients[p].head
        while i != Self.endOfList {
            let n = Int(i)
            open.insert(date: nodes[n].date, side: nodes[n].side, value: nodes[n].value)
            let next = nodes[n].next
            nodes[n].next = freeNodes
            freeNodes = i
            i = next
        }
        patients[p].head = Self.spilled
        listCount[p] = 0
        spill[Int32(p)] = open
    }

    private mutating func addSpilled(patient p: Int, date d: Int32, side: UInt8, value v: Double) {
        let key = Int32(p)
        // Take the entry out so mutating it does not copy its storage.
        var open = spill.removeValue(forKey: key)!
        defer { spill[key] = open }
        if let r = open.byDate[d] {
            if r.side == side {
                if v < r.value { open.byDate[d] = OpenDates.Reading(side: side, value: v) }
                return
            }
            setPair(patient: p, date: d, reading: v, side: side, other: r.value)
            open.close(through: d)
            return
        }
        open.insert(date: d, side: side, value: v)
    }

    enum Result { case none, pair(date: Int32, sys: Double, dia: Double) }

    func latestPair(_ p: Int) -> Result {
        let d = patients[p].pairDate
        return d == Self.noDay ? .none : .pair(date: d, sys: pairValues[2 * p], dia: pairValues[2 * p + 1])
    }

    /// Patients whose open dates outgrew their list (for tests and measurement).
    var spilledPatients: Int { spill.count }
    /// Nodes the pool has ever allocated: its peak of open dates held in lists at once.
    var poolSize: Int { nodes.count }
}

/// One patient's open dates once they outgrow its pool list: looked up by date, and closed
/// oldest first through a min-heap of the same dates, so each date is inserted and removed once
/// (a patient with m one-sided dates costs O(m log m) in any arrival order, never O(m²)).
struct OpenDates {
    struct Reading { var side: UInt8; var value: Double }
    var byDate: [Int32: Reading] = [:]
    var heap: [Int32] = []

    mutating func insert(date d: Int32, side: UInt8, value v: Double) {
        if let r = byDate[d] {
            // Only reached while moving a list here, where dates are distinct; kept total anyway.
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
