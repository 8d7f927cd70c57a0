import StratifyCore
import StratifyReference

/// Real-sized practices (`synth --list-size N`, the demo): patients go to as many of the ICB's
/// practices as give about N patients each, instead of evenly to all 175, so that a 50,000-patient
/// demo has practices of 5,000–10,000 patients (England's median list is about 9,000) whose
/// funnel-plot points are not noise. At ICB scale (1.2M) without the option every practice is used.
///
/// The practice table has no list sizes, so each practice's size is synthetic: `listSize` times a
/// factor from 2/3 to 4/3 fixed by its code (the same practice is always the same size). Practices
/// are taken up to `perPCN` from each PCN in PCN-code order, so the demo has several neighbourhoods
/// of several practices each.
struct PracticeMix: Sendable {
    let codes: [[UInt8]]
    /// Running totals of the chosen practices' sizes; a draw below `cumulative[i]` and not below
    /// `cumulative[i - 1]` is practice i.
    let cumulative: [Int]

    static let perPCN = 4

    init(practices: [PracticeTable.Practice], patients: Int, listSize: Int) {
        let sorted = practices.filter { $0.pcnName != "Unallocated" }.sorted { ($0.pcnCode, $0.code) < ($1.pcnCode, $1.code) }
        var taken: [String: Int] = [:]
        let ordered = sorted.filter { p in
            taken[p.pcnCode, default: 0] += 1
            return taken[p.pcnCode]! <= PracticeMix.perPCN
        }
        var codes: [[UInt8]] = [], cumulative: [Int] = [], total = 0
        for p in ordered where total < patients || codes.isEmpty {
            total += PracticeMix.size(of: p.code, listSize: listSize)
            codes.append(Array(p.code.utf8))
            cumulative.append(total)
        }
        self.codes = codes
        self.cumulative = cumulative
    }

    /// A practice's synthetic list size: `listSize` × 2/3 … 4/3, from an FNV-1a hash of its code.
    static func size(of code: String, listSize: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in code.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return max(1, listSize * (2000 + Int(h % 2001)) / 3000)
    }

    func pick(_ rng: inout SeededRandom) -> [UInt8] {
        let u = rng.below(cumulative.last!)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return codes[lo]
    }
}
