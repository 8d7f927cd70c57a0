/// Band kernels: eFI category, priority band with its reason, and segment, decided on integer
/// codes 16 patients at a time with `SIMD16<UInt8>` comparisons and selects. Each has a scalar
/// reference written as the spec reads (first match wins).
public enum BandKernels {
    /// eFI category codes.
    public static let fit: UInt8 = 0, mild: UInt8 = 1, moderate: UInt8 = 2, severe: UInt8 = 3, notApplicable: UInt8 = 255

    public struct EFIThresholds: Sendable {
        public var minimumAge: UInt8, fitMax: UInt8, mildMax: UInt8, moderateMax: UInt8
        public init(minimumAge: UInt8, fitMax: UInt8, mildMax: UInt8, moderateMax: UInt8) {
            self.minimumAge = minimumAge; self.fitMax = fitMax; self.mildMax = mildMax; self.moderateMax = moderateMax
        }
    }

    /// Scalar reference: decided on the integer count, never the float (rules.md §7).
    public static func efiCategoryScalar(counts: [UInt8], ages: [UInt8], _ t: EFIThresholds) -> [UInt8] {
        zip(counts, ages).map { count, age in
            if age < t.minimumAge { return notApplicable }
            if count <= t.fitMax { return fit }
            if count <= t.mildMax { return mild }
            if count <= t.moderateMax { return moderate }
            return severe
        }
    }

    /// 1 in each lane where `x > k`, else 0, for unsigned bytes: min(x, k+1) − min(x, k). Built
    /// from `pminub` and `psubb`: mask-to-integer selects compile to slow code in Swift today
    /// (docs/performance.md).
    @inline(__always) static func above(_ x: SIMD16<UInt8>, _ k: UInt8) -> SIMD16<UInt8> {
        pointwiseMin(x, SIMD16(repeating: k &+ 1)) &- pointwiseMin(x, SIMD16(repeating: k))
    }

    /// Category = number of thresholds exceeded (0–3), then 255 where age is under the minimum.
    public static func efiCategorySIMD(counts: [UInt8], ages: [UInt8], _ t: EFIThresholds) -> [UInt8] {
        let n = counts.count, full = n & ~15
        var out = [UInt8](repeating: 0, count: n)
        counts.withUnsafeBytes { cb in
            ages.withUnsafeBytes { ab in
                out.withUnsafeMutableBytes { o in
                    var i = 0
                    while i < full {
                        let c = cb.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                        let a = ab.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                        var cat = above(c, t.fitMax) &+ above(c, t.mildMax) &+ above(c, t.moderateMax)
                        // young = 1 where age < minimum (age <= minimum - 1); 0 − 1 = 255 marks not applicable.
                        let young = SIMD16<UInt8>(repeating: 1) &- above(a, t.minimumAge &- 1)
                        cat |= SIMD16<UInt8>(repeating: 0) &- young
                        o.storeBytes(of: cat, toByteOffset: i, as: SIMD16<UInt8>.self)
                        i += 16
                    }
                }
            }
        }
        let tail = efiCategoryScalar(counts: Array(counts[full...]), ages: Array(ages[full...]), t)
        for (k, v) in tail.enumerated() { out[full + k] = v }
        return out
    }

    /// The conditions of rules.md §9, in order, each a 0/1 column; reason k means condition k
    /// matched first. `reasons.count` (the last code) means none matched.
    public struct PriorityRule: Sendable {
        public var reason: String
        public var priority: UInt8
        public init(_ reason: String, _ priority: UInt8) { self.reason = reason; self.priority = priority }
    }

    public static let priorityRules: [PriorityRule] = [
        .init("efi_category=severe", 1), .init("copd_priority=PG1", 1), .init("htn_case_finding_tier=severe", 1), .init("reg_pc", 1),
        .init("efi_category=moderate", 2), .init("complex_multimorbid", 2), .init("copd_priority=PG2", 2),
        .init("htn_case_finding_tier=stage2", 2),
        .init("multimorbid", 3), .init("htn_uncontrolled", 3), .init("htn_no_recent_bp", 3), .init("smi_check_gap", 3),
        .init("copd_flu_gap", 3), .init("copd_pneumo_gap", 3), .init("bowel_screen_gap", 3), .init("breast_screen_gap", 3),
        .init("cervical_screen_gap", 3),
    ]

    /// Scalar reference: the first condition that holds.
    public static func priorityReasonScalar(_ conditions: FlagMatrix) -> [UInt8] {
        (0..<conditions.n).map { i in
            for c in 0..<conditions.columns where conditions[column: c, patient: i] == 1 { return UInt8(c) }
            return UInt8(conditions.columns)
        }
    }

    /// Selects from the last condition back to the first, so the first that holds wins.
    public static func priorityReasonSIMD(_ conditions: FlagMatrix) -> [UInt8] {
        let n = conditions.n, full = n & ~15, k = conditions.columns
        var out = [UInt8](repeating: UInt8(k), count: n)
        conditions.values.withUnsafeBytes { v in
            out.withUnsafeMutableBytes { o in
                var i = 0
                while i < full {
                    var reason = SIMD16<UInt8>(repeating: UInt8(k))
                    var c = k - 1
                    while c >= 0 {
                        let flag = v.loadUnaligned(fromByteOffset: c * n + i, as: SIMD16<UInt8>.self)
                        reason.replace(with: UInt8(c), where: flag .!= SIMD16<UInt8>(repeating: 0))
                        c -= 1
                    }
                    o.storeBytes(of: reason, toByteOffset: i, as: SIMD16<UInt8>.self)
                    i += 16
                }
            }
        }
        for i in full..<n {
            for c in 0..<k where conditions[column: c, patient: i] == 1 { out[i] = UInt8(c); break }
        }
        return out
    }

    /// Segment codes: 0 red, 1 amber, 2 green.
    public static let red: UInt8 = 0, amber: UInt8 = 1, green: UInt8 = 2

    /// Scalar reference: red if frailty moderate or severe, complex multimorbidity, palliative care
    /// or dementia; else amber if any long-term condition; else green.
    public static func segmentScalar(redFlags: FlagMatrix, ltcCount: [UInt8]) -> [UInt8] {
        (0..<redFlags.n).map { i in
            for c in 0..<redFlags.columns where redFlags[column: c, patient: i] == 1 { return red }
            return ltcCount[i] >= 1 ? amber : green
        }
    }

    public static func segmentSIMD(redFlags: FlagMatrix, ltcCount: [UInt8]) -> [UInt8] {
        let n = redFlags.n, full = n & ~15
        var out = [UInt8](repeating: green, count: n)
        redFlags.values.withUnsafeBytes { v in
            ltcCount.withUnsafeBytes { lb in
                out.withUnsafeMutableBytes { o in
                    var i = 0
                    let one = SIMD16<UInt8>(repeating: 1)
                    while i < full {
                        var anyRed = SIMD16<UInt8>(repeating: 0)
                        for c in 0..<redFlags.columns { anyRed |= v.loadUnaligned(fromByteOffset: c * n + i, as: SIMD16<UInt8>.self) }
                        // Flags are 0/1, so min(x, 1) is the 0/1 "any" bit. green − amberBit, then
                        // zeroed (red) where any red flag is set.
                        let amberBit = pointwiseMin(lb.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self), one)
                        let notRed = SIMD16<UInt8>(repeating: 0) &- (one &- pointwiseMin(anyRed, one))
                        let seg = (SIMD16<UInt8>(repeating: green) &- amberBit) & notRed
                        o.storeBytes(of: seg, toByteOffset: i, as: SIMD16<UInt8>.self)
                        i += 16
                    }
                }
            }
        }
        for i in full..<n {
            var isRed = false
            for c in 0..<redFlags.columns where redFlags[column: c, patient: i] == 1 { isRed = true }
            out[i] = isRed ? red : (ltcCount[i] >= 1 ? amber : green)
        }
        return out
    }
}
